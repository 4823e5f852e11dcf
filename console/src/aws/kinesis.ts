import { KinesisClient } from '@aws-sdk/client-kinesis';
import { clientConfig, perCredentials } from '../session';

/** The page's KinesisClient, remade when the keys change. */
export const kinesis = perCredentials(() => new KinesisClient({ ...clientConfig() }));
