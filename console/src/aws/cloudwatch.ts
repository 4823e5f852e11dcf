import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { clientConfig, perCredentials } from '../session';

/** The page's CloudWatchClient, remade when the keys change. */
export const cloudwatch = perCredentials(() => new CloudWatchClient({ ...clientConfig() }));
