import { FirehoseClient } from '@aws-sdk/client-firehose';
import { clientConfig, perCredentials } from '../session';

/** The page's FirehoseClient, remade when the keys change. */
export const firehose = perCredentials(() => new FirehoseClient({ ...clientConfig() }));
