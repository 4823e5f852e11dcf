// Reading a stream's shards and consumers, all pages.

import { ListShardsCommand, ListStreamConsumersCommand, type Consumer, type Shard } from '@aws-sdk/client-kinesis';
import { kinesis } from '../../aws/kinesis';
import { collect, listShardsInput } from '../../lib/paging';

/** Every shard, open and closed, 1,000 a call. */
export async function listAllShards(streamName: string, signal?: AbortSignal): Promise<Shard[]> {
  return collect<Shard>(
    async (cursor) => {
      const out = await kinesis().send(new ListShardsCommand(listShardsInput(streamName, cursor)), { abortSignal: signal });
      return { items: out.Shards ?? [], next: out.NextToken };
    },
    { signal },
  );
}

export async function listAllConsumers(streamArn: string, signal?: AbortSignal): Promise<Consumer[]> {
  return collect<Consumer>(
    async (cursor) => {
      const out = await kinesis().send(new ListStreamConsumersCommand(cursor ? { StreamARN: streamArn, NextToken: cursor } : { StreamARN: streamArn, MaxResults: 100 }), {
        abortSignal: signal,
      });
      return { items: out.Consumers ?? [], next: out.NextToken };
    },
    { signal },
  );
}
