// Reading records from one or more shards with GetShardIterator + GetRecords, and following them.

import { GetRecordsCommand, GetShardIteratorCommand, type _Record, type ShardIteratorType } from '@aws-sdk/client-kinesis';
import { kinesis } from '../../aws/kinesis';

export interface StartAt {
  type: ShardIteratorType;
  sequenceNumber?: string;
  timestamp?: Date;
}

export interface ShownRecord extends _Record {
  shardId: string;
}

/** A cursor per shard; read() returns what arrived since the last call. */
export class ShardReader {
  private iterators = new Map<string, string | undefined>();
  /** Milliseconds behind the tip, per shard, from the last GetRecords. */
  behind = new Map<string, number>();

  constructor(
    private stream: string,
    private shards: string[],
  ) {}

  async start(at: StartAt, signal?: AbortSignal): Promise<void> {
    await Promise.all(
      this.shards.map(async (id) => {
        const r = await kinesis().send(
          new GetShardIteratorCommand({
            StreamName: this.stream,
            ShardId: id,
            ShardIteratorType: at.type,
            StartingSequenceNumber: at.type.includes('SEQUENCE') ? at.sequenceNumber : undefined,
            Timestamp: at.type === 'AT_TIMESTAMP' ? at.timestamp : undefined,
          }),
          { abortSignal: signal },
        );
        this.iterators.set(id, r.ShardIterator);
      }),
    );
  }

  /** True once every shard is closed and read to its end. */
  get finished(): boolean {
    return [...this.iterators.values()].every((i) => !i);
  }

  /**
   * One GetRecords per shard that still has an iterator. With `catchUp`, keeps calling a shard
   * while it is behind and returned something, up to `maxCalls` calls in all.
   */
  async read(opts: { catchUp: boolean; maxCalls?: number; limit?: number; signal?: AbortSignal }): Promise<ShownRecord[]> {
    const out: ShownRecord[] = [];
    let calls = 0;
    const max = opts.maxCalls ?? 50;
    for (const id of this.shards) {
      for (;;) {
        const it = this.iterators.get(id);
        if (!it || calls >= max) break;
        calls++;
        const r = await kinesis().send(new GetRecordsCommand({ ShardIterator: it, Limit: opts.limit ?? 1000 }), { abortSignal: opts.signal });
        this.iterators.set(id, r.NextShardIterator);
        this.behind.set(id, r.MillisBehindLatest ?? 0);
        for (const rec of r.Records ?? []) out.push({ ...rec, shardId: id });
        if (!opts.catchUp || !r.Records?.length || !r.MillisBehindLatest) break;
      }
    }
    return out;
  }
}
