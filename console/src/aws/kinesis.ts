import { KinesisClient } from '@aws-sdk/client-kinesis';
import { clientConfig } from '../session';

let client: KinesisClient | undefined;

/** The one Kinesis client of the page; credentials are read at each request. */
export function kinesis(): KinesisClient {
  return (client ??= new KinesisClient(clientConfig()));
}
