import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../session';

let client: S3Client | undefined;

/** Path-style S3 (http://host/bucket/key): the embedded store has no per-bucket host names. */
export function s3(): S3Client {
  return (client ??= new S3Client({ ...clientConfig(), forcePathStyle: true }));
}
