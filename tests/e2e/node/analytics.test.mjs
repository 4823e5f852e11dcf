// The AWS SDK for JavaScript v3's Kinesis Data Analytics client
// (@aws-sdk/client-kinesis-analytics, the v1 API, AWS JSON 1.1) against
// runnel: all 20 operations, and errors as the SDK's typed exceptions
// (UnableToDetectSchemaException with its RawInputRecords). Applications
// that process records: tests/e2e/test_analytics_run.py.
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test analytics.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

const kda = await import("@aws-sdk/client-kinesis-analytics");
const {
  KinesisAnalyticsClient,
  CreateApplicationCommand,
  DescribeApplicationCommand,
  ListApplicationsCommand,
  UpdateApplicationCommand,
  DeleteApplicationCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  AddApplicationInputCommand,
  AddApplicationInputProcessingConfigurationCommand,
  DeleteApplicationInputProcessingConfigurationCommand,
  AddApplicationOutputCommand,
  DeleteApplicationOutputCommand,
  AddApplicationReferenceDataSourceCommand,
  DeleteApplicationReferenceDataSourceCommand,
  AddApplicationCloudWatchLoggingOptionCommand,
  DeleteApplicationCloudWatchLoggingOptionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListTagsForResourceCommand,
  DiscoverInputSchemaCommand,
  ResourceNotFoundException,
  ResourceInUseException,
  ConcurrentModificationException,
  InvalidArgumentException,
  UnableToDetectSchemaException,
} = kda;
const { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordCommand } = await import(
  "@aws-sdk/client-kinesis"
);

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" };
const client = new KinesisAnalyticsClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const kinesis = new KinesisClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const role = "arn:aws:iam::000000000000:role/kda";
const name = (p) => `${p}-${crypto.randomBytes(6).toString("hex")}`;
const streamArn = (s) => `arn:aws:kinesis:us-east-1:000000000000:stream/${s}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function describe(n) {
  return (await client.send(new DescribeApplicationCommand({ ApplicationName: n }))).ApplicationDetail;
}
async function waitStatus(n, status) {
  for (let i = 0; i < 150; i++) {
    const d = await describe(n);
    if (d.ApplicationStatus === status) return d;
    await sleep(100);
  }
  throw new Error(`${n} never became ${status}`);
}
async function stream() {
  const s = name("kdanode");
  await kinesis.send(new CreateStreamCommand({ StreamName: s, ShardCount: 1 }));
  for (let i = 0; i < 150; i++) {
    const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: s }));
    if (d.StreamDescriptionSummary.StreamStatus === "ACTIVE") return s;
    await sleep(100);
  }
  throw new Error(`${s} never became ACTIVE`);
}
const schema = {
  RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
  RecordEncoding: "UTF-8",
  RecordColumns: [{ Name: "TICKER", Mapping: "$.ticker", SqlType: "VARCHAR(4)" }],
};

test("every operation of the v1 API", async () => {
  const src = await stream();
  const n = name("kdanode");
  const created = await client.send(
    new CreateApplicationCommand({ ApplicationName: n, ApplicationCode: "-- sql", Tags: [{ Key: "sdk", Value: "js" }] }),
  );
  assert.equal(created.ApplicationSummary.ApplicationStatus, "READY");
  let d = await describe(n);
  assert.equal(d.ApplicationVersionId, 1);
  assert.ok(d.CreateTimestamp instanceof Date);
  await assert.rejects(client.send(new CreateApplicationCommand({ ApplicationName: n })), ResourceInUseException);
  // Other tests share the server: page through every application.
  const names = [];
  let list;
  let start;
  do {
    list = await client.send(new ListApplicationsCommand({ Limit: 50, ExclusiveStartApplicationName: start }));
    assert.equal(typeof list.HasMoreApplications, "boolean");
    names.push(...list.ApplicationSummaries.map((s) => s.ApplicationName));
    start = names[names.length - 1];
  } while (list.HasMoreApplications);
  assert.ok(names.includes(n));

  let v = 1;
  await client.send(
    new AddApplicationInputCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      Input: {
        NamePrefix: "SOURCE_SQL_STREAM",
        KinesisStreamsInput: { ResourceARN: streamArn(src), RoleARN: role },
        InputParallelism: { Count: 2 },
        InputSchema: schema,
      },
    }),
  );
  const lambda = { ResourceARN: "arn:aws:lambda:us-east-1:000000000000:function:f", RoleARN: role };
  await client.send(
    new AddApplicationInputProcessingConfigurationCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      InputId: "1.1",
      InputProcessingConfiguration: { InputLambdaProcessor: lambda },
    }),
  );
  await client.send(
    new DeleteApplicationInputProcessingConfigurationCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      InputId: "1.1",
    }),
  );
  await client.send(
    new AddApplicationOutputCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      Output: { Name: "OUT", LambdaOutput: lambda, DestinationSchema: { RecordFormatType: "CSV" } },
    }),
  );
  await assert.rejects(
    client.send(
      new DeleteApplicationOutputCommand({ ApplicationName: n, CurrentApplicationVersionId: 1, OutputId: "1.1" }),
    ),
    ConcurrentModificationException,
  );
  await client.send(
    new DeleteApplicationOutputCommand({ ApplicationName: n, CurrentApplicationVersionId: v++, OutputId: "1.1" }),
  );
  await client.send(
    new AddApplicationReferenceDataSourceCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      ReferenceDataSource: {
        TableName: "REF",
        S3ReferenceDataSource: { BucketARN: "arn:aws:s3:::b", FileKey: "k", ReferenceRoleARN: role },
        ReferenceSchema: schema,
      },
    }),
  );
  await client.send(
    new DeleteApplicationReferenceDataSourceCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      ReferenceId: "1.1",
    }),
  );
  await client.send(
    new AddApplicationCloudWatchLoggingOptionCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      CloudWatchLoggingOption: { LogStreamARN: "arn:aws:logs:us-east-1:000000000000:log-group:g", RoleARN: role },
    }),
  );
  await client.send(
    new DeleteApplicationCloudWatchLoggingOptionCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      CloudWatchLoggingOptionId: "1.1",
    }),
  );
  await client.send(
    new UpdateApplicationCommand({
      ApplicationName: n,
      CurrentApplicationVersionId: v++,
      ApplicationUpdate: { ApplicationCodeUpdate: "-- new", InputUpdates: [{ InputId: "1.1", NamePrefixUpdate: "IN" }] },
    }),
  );
  d = await describe(n);
  assert.equal(d.ApplicationVersionId, v);
  assert.equal(d.ApplicationCode, "-- new");
  assert.deepEqual(d.InputDescriptions[0].InAppStreamNames, ["IN_001", "IN_002"]);
  assert.deepEqual(d.OutputDescriptions, []);

  await client.send(
    new StartApplicationCommand({
      ApplicationName: n,
      InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "NOW" } }],
    }),
  );
  await waitStatus(n, "RUNNING");
  await client.send(new StopApplicationCommand({ ApplicationName: n }));
  await waitStatus(n, "READY");

  const arn = created.ApplicationSummary.ApplicationARN;
  await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: "env", Value: "dev" }] }));
  await client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["sdk"] }));
  const tags = await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  assert.deepEqual(tags.Tags, [{ Key: "env", Value: "dev" }]);

  await kinesis.send(
    new PutRecordCommand({
      StreamName: src,
      PartitionKey: "p",
      Data: new TextEncoder().encode(JSON.stringify({ ticker: "AMZN", price: 1.5 })),
    }),
  );
  const disc = await client.send(
    new DiscoverInputSchemaCommand({
      ResourceARN: streamArn(src),
      RoleARN: role,
      InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" },
    }),
  );
  assert.deepEqual(
    disc.InputSchema.RecordColumns.map((c) => [c.Name, c.SqlType]),
    [
      ["ticker", "VARCHAR(4)"],
      ["price", "REAL"],
    ],
  );
  assert.deepEqual(disc.ParsedInputRecords, [["AMZN", "1.5"]]);

  await client.send(new DeleteApplicationCommand({ ApplicationName: n, CreateTimestamp: d.CreateTimestamp }));
  for (let i = 0; i < 150; i++) {
    try {
      await describe(n);
    } catch (e) {
      assert.ok(e instanceof ResourceNotFoundException);
      assert.equal(e.message, `Application ${n} is not found.`);
      return;
    }
    await sleep(100);
  }
  throw new Error(`${n} was never deleted`);
});

test("errors are the SDK's typed exceptions", async () => {
  const empty = await stream();
  await assert.rejects(
    client.send(
      new CreateApplicationCommand({
        ApplicationName: name("kdanode"),
        Inputs: [
          {
            NamePrefix: "S",
            KinesisStreamsInput: { ResourceARN: streamArn("no-such-stream"), RoleARN: role },
            InputSchema: schema,
          },
        ],
      }),
    ),
    InvalidArgumentException,
  );
  await assert.rejects(
    client.send(
      new DiscoverInputSchemaCommand({
        ResourceARN: streamArn(empty),
        RoleARN: role,
        InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" },
      }),
    ),
    (e) => {
      assert.ok(e instanceof UnableToDetectSchemaException);
      assert.deepEqual(e.RawInputRecords, []);
      return true;
    },
  );
});
