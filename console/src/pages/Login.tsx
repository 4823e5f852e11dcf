import { useState } from 'preact/hooks';
import { ErrorText } from '../components/ErrorText';
import { showError, type ShownError } from '../errors';
import { signIn, signOut } from '../session';

/** Asks for an access key when the server checks signatures; tries it with ListStreams before keeping it. */
export function Login({ onDone }: { onDone: () => void }) {
  const [id, setId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    signIn({ accessKeyId: id.trim(), secretAccessKey: secret });
    try {
      // Loaded here, not at the top, so the first paint does not wait for the Kinesis SDK.
      const [{ kinesis }, { ListStreamsCommand }] = await Promise.all([import('../aws/kinesis'), import('@aws-sdk/client-kinesis')]);
      await kinesis().send(new ListStreamsCommand({ Limit: 1 }));
      onDone();
    } catch (err) {
      signOut();
      setError(showError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Sign in to runnel</h1>
      <p class="muted">This server checks request signatures. The keys stay in this tab (session storage) and sign each request.</p>
      <form onSubmit={submit}>
        <label>
          Access key ID
          <input name="accessKeyId" value={id} onInput={(e) => setId(e.currentTarget.value)} autoComplete="username" required />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} autoComplete="current-password" required />
        </label>
        <ErrorText error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
