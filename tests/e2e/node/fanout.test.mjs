// Enhanced fan-out with the AWS SDK for JavaScript v3 and its default request
// handler (NodeHttp2Handler: h2c prior knowledge against an http:// endpoint).
// Consumer CRUD, SubscribeToShard read with `for await`, push of live records,
// ContinuationSequenceNumber resume, the 5 s exclusivity/takeover rule, error
// events, and several subscriptions at once.
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test fanout.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

const {
  KinesisClient,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  ListStreamConsumersCommand,
  DeregisterStreamConsumerCommand,
  SubscribeToShardCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilStreamExists,
} = await import("@aws-sdk/client-kinesis");

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" },
  maxAttempts: 1,
});
const SHARDS = 3;
const streamName = `node-fo-${crypto.randomBytes(6).toString("hex")}`;
const SEQ_RE = /^\d{56}$/;
const TAKEOVER_MS = 5000;
const PUSH_BOUND_MS = 1000;
let streamArn;
let shardIds;
const openSubs = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const text = (data) => Buffer.from(data).toString("utf8");

function hashKeyFor(index) {
  // Start of shard `index`'s range in a fresh stream of SHARDS shards.
  return ((2n ** 128n / BigInt(SHARDS)) * BigInt(index)).toString();
}

async function putTo(index, data) {
  const out = await client.send(
    new PutRecordCommand({
      StreamName: streamName,
      Data: Buffer.from(data),
      PartitionKey: "pk",
      ExplicitHashKey: hashKeyFor(index),
    }),
  );
  assert.equal(out.ShardId, shardIds[index]);
  return out.SequenceNumber;
}

async function waitActive(arn, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { ConsumerDescription: d } = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
    if (d.ConsumerStatus === "ACTIVE") return d;
    if (Date.now() > deadline) assert.fail(`consumer ${arn} still ${d.ConsumerStatus}`);
    await sleep(50);
  }
}

async function waitGone(arn, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
    } catch (err) {
      if (err.name === "ResourceNotFoundException") return;
      throw err;
    }
    if (Date.now() > deadline) assert.fail(`consumer ${arn} still there after deregistering`);
    await sleep(50);
  }
}

async function register(name) {
  const { Consumer } = await client.send(
    new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }),
  );
  return waitActive(Consumer.ConsumerARN);
}

// One SubscribeToShard call whose event stream is drained in the background.
class Subscription {
  constructor(consumerArn, shardId, position) {
    this.consumerArn = consumerArn;
    this.shardId = shardId;
    this.position = position;
    this.events = [];   // {at, body}
    this.records = [];  // {at, rec}
    this.other = [];    // union members other than SubscribeToShardEvent
    this.end = null;    // null while open; "eof", "closed" or the thrown error
    this.abort = new AbortController();
    this.closing = false;
  }

  async start() {
    this.startedAt = Date.now();
    const out = await client.send(
      new SubscribeToShardCommand({
        ConsumerARN: this.consumerArn,
        ShardId: this.shardId,
        StartingPosition: this.position,
      }),
      { abortSignal: this.abort.signal },
    );
    openSubs.push(this);
    this.done = this.#drain(out.EventStream);
    return this;
  }

  async #drain(stream) {
    try {
      for await (const ev of stream) {
        const at = Date.now();
        if (ev.SubscribeToShardEvent) {
          this.events.push({ at, body: ev.SubscribeToShardEvent });
          for (const rec of ev.SubscribeToShardEvent.Records ?? []) this.records.push({ at, rec });
        } else {
          this.other.push(Object.keys(ev));
        }
      }
      this.end = "eof";
    } catch (err) {
      this.end = this.closing ? "closed" : err;
    }
  }

  async waitRecords(n, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (this.records.length < n && this.end === null && Date.now() < deadline) await sleep(5);
    assert.ok(
      this.records.length >= n,
      `${this.shardId}: ${this.records.length} of ${n} records after ${timeoutMs} ms (end=${this.end})`,
    );
    return this.records.map((r) => r.rec);
  }

  async waitData(data, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.records.find((r) => text(r.rec.Data) === data);
      if (hit) return hit.at;
      if (this.end !== null || Date.now() > deadline) assert.fail(`${data} not delivered (end=${this.end})`);
      await sleep(2);
    }
  }

  async waitEnd(timeoutMs = 10000) {
    let timer;
    const expired = new Promise((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const r = await Promise.race([this.done.then(() => "ended"), expired]);
    clearTimeout(timer);
    assert.equal(r, "ended", `${this.shardId}: stream still open after ${timeoutMs} ms`);
    return this.end;
  }

  close() {
    if (this.end !== null) return;
    this.closing = true;
    this.abort.abort();
  }
}

async function subscribe(consumerArn, shardId, position = { Type: "TRIM_HORIZON" }) {
  return new Subscription(consumerArn, shardId, position).start();
}

function checkEvent(body) {
  assert.ok(Array.isArray(body.Records), JSON.stringify(body));
  assert.match(body.ContinuationSequenceNumber ?? "", SEQ_RE);
  assert.equal(typeof body.MillisBehindLatest, "number");
  assert.ok(!body.ChildShards || body.ChildShards.length === 0, "ChildShards on an open shard");
  if (body.Records.length) {
    const last = BigInt(body.Records.at(-1).SequenceNumber);
    assert.ok(BigInt(body.ContinuationSequenceNumber) >= last, "continuation before the last record");
  }
}

before(async () => {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: SHARDS }));
  await waitUntilStreamExists({ client, minDelay: 1, maxWaitTime: 30 }, { StreamName: streamName });
  const { StreamDescriptionSummary: s } = await client.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  streamArn = s.StreamARN;
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  shardIds = Shards.map((x) => x.ShardId);
  assert.equal(shardIds.length, SHARDS);
});

after(async () => {
  for (const s of openSubs) s.close();
  let timer;
  await Promise.race([
    Promise.allSettled(openSubs.map((s) => s.done)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 3000);
    }),
  ]);
  clearTimeout(timer);
  try {
    await client.send(new DeleteStreamCommand({ StreamName: streamName, EnforceConsumerDeletion: true }));
  } catch {}
  client.destroy();
});

test("consumer CRUD over h2c", async () => {
  assert.equal(client.config.requestHandler.constructor.name, "NodeHttp2Handler");
  const { Consumer } = await client.send(
    new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "crud" }),
  );
  assert.equal(Consumer.ConsumerStatus, "CREATING");
  assert.ok(Consumer.ConsumerCreationTimestamp instanceof Date);
  assert.match(Consumer.ConsumerARN, new RegExp(`^${streamArn.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/consumer/crud:\\d+$`));
  const d = await waitActive(Consumer.ConsumerARN);
  assert.equal(d.StreamARN, streamArn);
  const byName = await client.send(
    new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "crud" }),
  );
  assert.equal(byName.ConsumerDescription.ConsumerARN, Consumer.ConsumerARN);

  await assert.rejects(
    client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "crud" })),
    (err) => {
      assert.ok(err instanceof ResourceInUseException, `got ${err.name}: ${err.message}`);
      return true;
    },
  );
  const { Consumers } = await client.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
  assert.ok(Consumers.some((c) => c.ConsumerARN === Consumer.ConsumerARN));
  const { StreamDescriptionSummary: s } = await client.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  assert.equal(s.ConsumerCount, Consumers.length);

  await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN }));
  await waitGone(Consumer.ConsumerARN);
  await assert.rejects(
    client.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN })),
    (err) => {
      assert.ok(err instanceof ResourceNotFoundException, `got ${err.name}`);
      return true;
    },
  );
});

test("SubscribeToShard: history, then live records pushed at once", async () => {
  const c = await register("history");
  const before = [];
  for (let i = 0; i < 4; i++) before.push(await putTo(0, `h-${i}`));
  await putTo(1, "elsewhere");
  const sub = await subscribe(c.ConsumerARN, shardIds[0]);
  const got = await sub.waitRecords(4);
  assert.deepEqual(got.map((r) => r.SequenceNumber), before);
  assert.deepEqual(got.map((r) => text(r.Data)), ["h-0", "h-1", "h-2", "h-3"]);
  for (const r of got) {
    assert.equal(r.PartitionKey, "pk");
    assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
  }
  const latencies = [];
  const live = [];
  for (let i = 0; i < 4; i++) {
    const t0 = Date.now();
    live.push(await putTo(0, `live-${i}`));
    latencies.push((await sub.waitData(`live-${i}`)) - t0);
  }
  assert.ok(Math.max(...latencies) <= PUSH_BOUND_MS, `push latencies ${latencies}`);
  assert.deepEqual(sub.records.map((r) => r.rec.SequenceNumber), [...before, ...live]);
  let prev = 0n;
  for (const { body } of sub.events) {
    checkEvent(body);
    assert.ok(BigInt(body.ContinuationSequenceNumber) >= prev, "continuation went backwards");
    prev = BigInt(body.ContinuationSequenceNumber);
  }
  assert.equal(sub.end, null, `ended early: ${sub.end}`);
  assert.deepEqual(sub.other, [], `unexpected event kinds ${JSON.stringify(sub.other)}`);
  sub.close();
});

test("within 5 s: ResourceInUseException; after 5 s: takeover, old stream fails, resume from checkpoint", async () => {
  const c = await register("takeover");
  const first = [];
  for (let i = 0; i < 3; i++) first.push(await putTo(1, `t-${i}`));
  const old = await subscribe(c.ConsumerARN, shardIds[1]);
  await old.waitRecords(3);
  const checkpoint = old.events.at(-1).body.ContinuationSequenceNumber;
  assert.ok(BigInt(checkpoint) >= BigInt(first.at(-1)));

  await sleep(1100);
  await assert.rejects(subscribe(c.ConsumerARN, shardIds[1]), (err) => {
    assert.ok(err instanceof ResourceInUseException, `got ${err.name}: ${err.message}`);
    return true;
  });
  assert.equal(old.end, null, `refused call disturbed the live subscription: ${old.end}`);

  const later = [await putTo(1, "t-3"), await putTo(1, "t-4")];
  await old.waitRecords(5);
  await sleep(Math.max(0, old.startedAt + TAKEOVER_MS + 300 - Date.now()));
  const fresh = await subscribe(c.ConsumerARN, shardIds[1], {
    Type: "AFTER_SEQUENCE_NUMBER",
    SequenceNumber: checkpoint,
  });
  const end = await old.waitEnd(5000);
  assert.ok(end instanceof Error, `old subscription ended with ${end}`);
  assert.equal(end.name, "ResourceInUseException");

  await fresh.waitRecords(2);
  const live = await putTo(1, "t-5");
  await fresh.waitRecords(3);
  await sleep(200);
  assert.deepEqual(fresh.records.map((r) => r.rec.SequenceNumber), [...later, live]);
  fresh.close();
});

test("deregistering the consumer ends its subscription with an error event", async () => {
  const c = await register("doomed");
  const sub = await subscribe(c.ConsumerARN, shardIds[2], { Type: "LATEST" });
  await putTo(2, "last-words");
  await sub.waitData("last-words");
  await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: c.ConsumerARN }));
  const end = await sub.waitEnd(10000);
  assert.ok(end instanceof Error, `ended with ${end}`);
  assert.ok(["ResourceNotFoundException", "ResourceInUseException"].includes(end.name), `got ${end.name}`);
  await waitGone(c.ConsumerARN);
  await assert.rejects(subscribe(c.ConsumerARN, shardIds[2]), (err) => {
    assert.equal(err.name, "ResourceNotFoundException");
    return true;
  });
});

test("unknown shard is ResourceNotFoundException", async () => {
  const c = await register("errors");
  await assert.rejects(subscribe(c.ConsumerARN, "shardId-000000000099"), (err) => {
    assert.ok(err instanceof ResourceNotFoundException, `got ${err.name}: ${err.message}`);
    return true;
  });
});

test("concurrent subscriptions: every consumer gets every record of its shard once", async () => {
  const consumers = [await register("multi-a"), await register("multi-b")];
  const subs = await Promise.all(
    consumers.flatMap((c) => shardIds.map((sh) => subscribe(c.ConsumerARN, sh, { Type: "LATEST" }))),
  );
  const expected = Object.fromEntries(shardIds.map((sh) => [sh, []]));
  await Promise.all(
    [0, 1, 2].map(async (w) => {
      for (let b = 0; b < 3; b++) {
        const out = await client.send(
          new PutRecordsCommand({
            StreamName: streamName,
            Records: Array.from({ length: 15 }, (_, i) => ({
              Data: Buffer.from(`m-${w}-${b}-${i}`),
              PartitionKey: `m-${w}-${b}-${i}`,
            })),
          }),
        );
        assert.equal(out.FailedRecordCount, 0);
        for (const r of out.Records) expected[r.ShardId].push(r.SequenceNumber);
      }
    }),
  );
  for (const sh of shardIds) expected[sh].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  await Promise.all(subs.map((s) => s.waitRecords(expected[s.shardId].length, 10000)));
  await sleep(300);
  for (const s of subs) {
    assert.deepEqual(
      s.records.map((r) => r.rec.SequenceNumber),
      expected[s.shardId],
      `${s.consumerArn} ${s.shardId}`,
    );
    assert.equal(s.end, null);
    s.close();
  }
});
