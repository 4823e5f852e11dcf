import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { clientConfig } from '../session';

let client: CloudWatchClient | undefined;

export function cloudwatch(): CloudWatchClient {
  return (client ??= new CloudWatchClient(clientConfig()));
}
