import { FirehoseClient } from '@aws-sdk/client-firehose';
import { clientConfig } from '../session';

let client: FirehoseClient | undefined;

export function firehose(): FirehoseClient {
  return (client ??= new FirehoseClient(clientConfig()));
}
