// The JS SDK v3 over h2 with TLS (ALPN h2): the path Java and JS clients take
// against https endpoints. run.sh gives the shared server a throw-away
// certificate for 127.0.0.1 (RUNNEL_E2E_TLS_CERT) and its address
// (RUNNEL_E2E_TLS_ENDPOINT).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordCommand,
  RegisterStreamConsumerCommand, DescribeStreamConsumerCommand, SubscribeToShardCommand, DeleteStreamCommand,
} from '@aws-sdk/client-kinesis';

const endpoint = process.env.RUNNEL_E2E_TLS_ENDPOINT;
// run.sh points NODE_EXTRA_CA_CERTS at the certificate, so the SDK's default
// HTTP/2 handler trusts it.

test('JS SDK over h2 + TLS: put, register, subscribe', { skip: !endpoint && 'RUNNEL_E2E_TLS_ENDPOINT not set' }, async () => {
  const client = new KinesisClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
  });
  const name = `tls-js-${process.pid}-${Date.now()}`;
  try {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    const arn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
      .StreamDescriptionSummary.StreamARN;
    const put = await client.send(new PutRecordCommand({ StreamName: name, Data: Buffer.from('tls-a'), PartitionKey: 'k' }));
    const consumer = (await client.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'tls-js' }))).Consumer;
    for (let i = 0; i < 100; i++) {
      const d = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN }));
      if (d.ConsumerDescription.ConsumerStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const sub = await client.send(new SubscribeToShardCommand({
      ConsumerARN: consumer.ConsumerARN, ShardId: put.ShardId, StartingPosition: { Type: 'TRIM_HORIZON' },
    }));
    setTimeout(() => client.send(new PutRecordCommand({ StreamName: name, Data: Buffer.from('tls-b'), PartitionKey: 'k' })), 200);
    const seen = [];
    for await (const ev of sub.EventStream) {
      for (const r of ev.SubscribeToShardEvent?.Records ?? []) seen.push(Buffer.from(r.Data).toString());
      if (seen.length >= 2) break;
    }
    assert.deepEqual(seen, ['tls-a', 'tls-b']);
  } finally {
    await client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true })).catch(() => {});
    client.destroy();
  }
});
