import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, perCredentials } from '../session';

/** Path-style S3 (http://host/bucket/key): the embedded store has no per-bucket host names. */
export const s3 = perCredentials(() => new S3Client({ ...clientConfig(), forcePathStyle: true }));
