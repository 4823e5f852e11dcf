// Walking AWS list APIs page by page. Each API pages in its own way (NextToken, HasMore +
// ExclusiveStart…, ContinuationToken); a Pager hides that behind "give me the page after this cursor".

export interface Page<T> {
  items: T[];
  /** The cursor for the next page; undefined on the last page. */
  next?: string;
}

export type Pager<T> = (cursor: string | undefined) => Promise<Page<T>>;

/**
 * Every item of every page, in order. `onPage` sees the items so far after each page, so a list
 * can show the first page while later ones load. Stops after `maxPages` (a guard against a server
 * that never stops handing out cursors) and when `signal` is aborted.
 */
export async function collect<T>(
  pager: Pager<T>,
  opts: { maxPages?: number; onPage?: (all: T[]) => void; signal?: AbortSignal } = {},
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  const max = opts.maxPages ?? 10_000;
  for (let n = 0; n < max; n++) {
    if (opts.signal?.aborted) break;
    const page = await pager(cursor);
    all.push(...page.items);
    opts.onPage?.(all);
    if (!page.next || page.next === cursor) break;
    cursor = page.next;
  }
  return all;
}

/** Kinesis ListShards: the first call names the stream, later ones carry only NextToken (AWS rejects both). */
export function listShardsInput(streamName: string, cursor: string | undefined, maxResults = 1000) {
  return cursor ? { NextToken: cursor, MaxResults: maxResults } : { StreamName: streamName, MaxResults: maxResults };
}

/** Kinesis ListStreams: NextToken when the server gives one, else the last name with HasMoreStreams. */
export function listStreamsNext(out: { NextToken?: string; HasMoreStreams?: boolean; StreamNames?: string[] }): string | undefined {
  if (!out.HasMoreStreams) return undefined;
  if (out.NextToken) return 'token:' + out.NextToken;
  const last = out.StreamNames?.[out.StreamNames.length - 1];
  return last ? 'name:' + last : undefined;
}

/** The ListStreams input for a cursor made by listStreamsNext. */
export function listStreamsInput(cursor: string | undefined, limit = 100) {
  if (!cursor) return { Limit: limit };
  if (cursor.startsWith('token:')) return { NextToken: cursor.slice(6), Limit: limit };
  return { ExclusiveStartStreamName: cursor.slice(5), Limit: limit };
}

/** Firehose ListDeliveryStreams pages by the last name seen while HasMoreDeliveryStreams. */
export function deliveryStreamsNext(out: { DeliveryStreamNames?: string[]; HasMoreDeliveryStreams?: boolean }): string | undefined {
  const names = out.DeliveryStreamNames ?? [];
  return out.HasMoreDeliveryStreams && names.length ? names[names.length - 1] : undefined;
}
