"""The Glue Data Catalog subset with boto3's `glue` client against the real binary.

Every served operation (databases, tables, table versions), AWS's exception
types, HTTP statuses and messages, GetTables' Expression, paging with
NextToken/MaxResults, CatalogId, the answer to an operation runnel does not
serve, and a catalog that survives a restart (SIGTERM and kill -9) on the
same --data-dir.
"""
from __future__ import annotations

import datetime
import json

import pytest
from botocore.exceptions import ClientError, ParamValidationError

import e2e_support as sup
import glue_support as gs
from glue_support import error, table_input


@pytest.fixture(scope="module")
def glue():
    return gs.client()


@pytest.fixture(scope="module")
def glue_raw():
    return gs.client(validate=False)


@pytest.fixture
def db(glue):
    name = gs.db_name("db")
    glue.create_database(DatabaseInput={"Name": name})
    yield name
    try:
        glue.delete_database(Name=name)
    except ClientError:
        pass


def test_database_lifecycle(glue):
    name = gs.db_name("Sales")
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    out = glue.create_database(DatabaseInput={"Name": name, "Description": "first", "LocationUri": "s3://b/sales",
                                              "Parameters": {"owner": "team-a"}})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    d = glue.get_database(Name=name.upper())["Database"]
    assert d["Name"] == name.lower()  # stored lowercase, found in any case
    assert d["Description"] == "first"
    assert d["LocationUri"] == "s3://b/sales"
    assert d["Parameters"] == {"owner": "team-a"}
    assert d["CatalogId"] == sup.ACCOUNT
    assert d["CreateTableDefaultPermissions"] == [
        {"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}, "Permissions": ["ALL"]}]
    assert before - datetime.timedelta(seconds=1) <= d["CreateTime"] <= before + datetime.timedelta(seconds=30)

    with pytest.raises(ClientError) as e:
        glue.create_database(DatabaseInput={"Name": name})
    assert error(e) == ("AlreadyExistsException", "Database already exists.", 400)

    glue.update_database(Name=name, DatabaseInput={"Name": name, "Description": "second"})
    d2 = glue.get_database(Name=name)["Database"]
    assert d2["Description"] == "second"
    assert "LocationUri" not in d2  # the input replaces the definition
    assert d2["CreateTime"] == d["CreateTime"]

    glue.delete_database(Name=name)
    with pytest.raises(ClientError) as e:
        glue.get_database(Name=name)
    assert error(e) == ("EntityNotFoundException", f"Database {name} not found.", 400)  # the name as asked for
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.delete_database(Name=name)
    with pytest.raises(ClientError) as e:
        glue.update_database(Name=name, DatabaseInput={"Name": name})
    assert error(e)[0] == "EntityNotFoundException"


def test_get_databases_pages(glue):
    prefix = gs.db_name("page")
    names = [f"{prefix}_{i}" for i in range(5)]
    for n in reversed(names):
        glue.create_database(DatabaseInput={"Name": n})
    try:
        seen, token, pages = [], None, 0
        while True:
            kw = {"MaxResults": 2}
            if token:
                kw["NextToken"] = token
            out = glue.get_databases(**kw)
            assert len(out["DatabaseList"]) <= 2
            seen += [d["Name"] for d in out["DatabaseList"]]
            pages += 1
            token = out.get("NextToken")
            if not token:
                break
        assert [n for n in seen if n.startswith(prefix)] == names  # in name order
        assert seen == sorted(seen)
        assert pages >= 3
        # boto3's paginator follows the same tokens.
        paged = [d["Name"] for p in glue.get_paginator("get_databases").paginate(PaginationConfig={"PageSize": 3})
                 for d in p["DatabaseList"]]
        assert paged == seen
    finally:
        for n in names:
            glue.delete_database(Name=n)


def test_table_lifecycle(glue, db):
    ti = table_input("Events", columns=(("id", "bigint"), ("payload", "struct<a:int,b:array<string>>")),
                     description="v0", TableType="EXTERNAL_TABLE", Parameters={"classification": "json"},
                     PartitionKeys=[{"Name": "dt", "Type": "string", "Comment": "day"}])
    ti["StorageDescriptor"]["SerdeInfo"] = {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}
    glue.create_table(DatabaseName=db, TableInput=ti)
    t = glue.get_table(DatabaseName=db.upper(), Name="EVENTS")["Table"]
    assert t["Name"] == "events"
    assert t["DatabaseName"] == db
    assert t["VersionId"] == "0"
    assert t["CatalogId"] == sup.ACCOUNT
    assert t["Description"] == "v0"
    assert t["TableType"] == "EXTERNAL_TABLE"
    assert t["Parameters"] == {"classification": "json"}
    assert t["Retention"] == 0
    assert t["IsRegisteredWithLakeFormation"] is False
    assert t["PartitionKeys"] == [{"Name": "dt", "Type": "string", "Comment": "day"}]
    assert t["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "bigint"},
                                                 {"Name": "payload", "Type": "struct<a:int,b:array<string>>"}]
    assert t["StorageDescriptor"]["SerdeInfo"] == {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}
    assert t["CreateTime"] == t["UpdateTime"]

    with pytest.raises(ClientError) as e:
        glue.create_table(DatabaseName=db, TableInput=table_input("events"))
    assert error(e) == ("AlreadyExistsException", "Table already exists.", 400)
    with pytest.raises(ClientError) as e:
        glue.create_table(DatabaseName="no_such_db", TableInput=table_input("t"))
    assert error(e) == ("EntityNotFoundException", "Database no_such_db not found.", 400)
    with pytest.raises(ClientError) as e:
        glue.get_table(DatabaseName=db, Name="nope")
    assert error(e) == ("EntityNotFoundException", "Table nope not found.", 400)

    glue.delete_table(DatabaseName=db, Name="events")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName=db, Name="events")
    with pytest.raises(ClientError) as e:
        glue.delete_table(DatabaseName=db, Name="events")
    assert error(e) == ("EntityNotFoundException", "Table events not found.", 400)


def test_update_table_versions(glue, db):
    glue.create_table(DatabaseName=db, TableInput=table_input("t", description="v0"))
    created = glue.get_table(DatabaseName=db, Name="t")["Table"]
    glue.update_table(DatabaseName=db, TableInput=table_input("t", description="v1"))  # archives 0
    glue.update_table(DatabaseName=db, TableInput=table_input("t", description="v2"), SkipArchive=True)  # not 1
    glue.update_table(DatabaseName=db, TableInput=table_input("t", description="v3",
                                                              columns=(("id", "int"), ("name", "string"))))
    t = glue.get_table(DatabaseName=db, Name="t")["Table"]
    assert (t["VersionId"], t["Description"]) == ("3", "v3")
    assert t["CreateTime"] == created["CreateTime"]
    assert t["UpdateTime"] >= created["UpdateTime"]
    assert [c["Name"] for c in t["StorageDescriptor"]["Columns"]] == ["id", "name"]

    versions = glue.get_table_versions(DatabaseName=db, TableName="t")["TableVersions"]
    assert [v["VersionId"] for v in versions] == ["3", "2", "0"]  # newest first
    assert [v["Table"]["Description"] for v in versions] == ["v3", "v2", "v0"]
    assert all(v["Table"]["VersionId"] == v["VersionId"] for v in versions)
    paged = [v["VersionId"] for p in glue.get_paginator("get_table_versions").paginate(
        DatabaseName=db, TableName="t", PaginationConfig={"PageSize": 1}) for v in p["TableVersions"]]
    assert paged == ["3", "2", "0"]

    v0 = glue.get_table_version(DatabaseName=db, TableName="t", VersionId="0")["TableVersion"]
    assert v0["VersionId"] == "0" and v0["Table"]["Description"] == "v0"
    current = glue.get_table_version(DatabaseName=db, TableName="t")["TableVersion"]
    assert current["VersionId"] == "3"
    with pytest.raises(ClientError) as e:
        glue.get_table_version(DatabaseName=db, TableName="t", VersionId="1")
    assert error(e) == ("EntityNotFoundException", "Version 1 of table t not found.", 400)
    with pytest.raises(ClientError) as e:
        glue.get_table_version(DatabaseName=db, TableName="t", VersionId="one")
    assert error(e)[0] == "InvalidInputException"

    # Optimistic concurrency: a stale VersionId loses.
    with pytest.raises(ClientError) as e:
        glue.update_table(DatabaseName=db, TableInput=table_input("t"), VersionId="2")
    assert error(e) == ("ConcurrentModificationException", "Update table failed due to concurrent modifications.",
                        400)
    glue.update_table(DatabaseName=db, TableInput=table_input("t", description="v4"), VersionId="3")
    with pytest.raises(ClientError) as e:
        glue.update_table(DatabaseName=db, TableInput=table_input("nope"))
    assert error(e) == ("EntityNotFoundException", "Table nope not found.", 400)

    # Versions now 4 (current), 3, 2, 0.
    with pytest.raises(ClientError) as e:
        glue.delete_table_version(DatabaseName=db, TableName="t", VersionId="4")
    assert error(e)[0] == "InvalidInputException"  # the current version stays
    glue.delete_table_version(DatabaseName=db, TableName="t", VersionId="0")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.delete_table_version(DatabaseName=db, TableName="t", VersionId="0")
    out = glue.batch_delete_table_version(DatabaseName=db, TableName="t", VersionIds=["2", "9"])
    assert out["Errors"] == [{"TableName": "t", "VersionId": "9", "ErrorDetail": {
        "ErrorCode": "EntityNotFoundException", "ErrorMessage": "Version 9 of table t not found."}}]
    assert [v["VersionId"] for v in glue.get_table_versions(DatabaseName=db, TableName="t")["TableVersions"]] == \
        ["4", "3"]
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.batch_delete_table_version(DatabaseName=db, TableName="nope", VersionIds=["1"])


def test_get_tables_expression_and_paging(glue, db):
    for n in ("sales_eu", "sales_us", "orders", "customers", "sales_asia", "Returns"):
        glue.create_table(DatabaseName=db, TableInput=table_input(n))

    def listed(**kw):
        return [t["Name"] for t in glue.get_tables(DatabaseName=db, **kw)["TableList"]]

    assert listed() == ["customers", "orders", "returns", "sales_asia", "sales_eu", "sales_us"]
    assert listed(Expression="sales*") == ["sales_asia", "sales_eu", "sales_us"]
    assert listed(Expression="*s") == ["customers", "orders", "returns", "sales_us"]
    assert listed(Expression="orders|cust*") == ["customers", "orders"]
    assert listed(Expression="SALES_E.*") == ["sales_eu"]  # a regex, case ignored
    assert listed(Expression="sales") == []  # the whole name must match
    assert listed(Expression="") == listed()

    out = glue.get_tables(DatabaseName=db, Expression="sales*", MaxResults=2)
    assert [t["Name"] for t in out["TableList"]] == ["sales_asia", "sales_eu"]
    out2 = glue.get_tables(DatabaseName=db, Expression="sales*", MaxResults=2, NextToken=out["NextToken"])
    assert [t["Name"] for t in out2["TableList"]] == ["sales_us"]
    assert "NextToken" not in out2
    paged = [t["Name"] for p in glue.get_paginator("get_tables").paginate(
        DatabaseName=db, PaginationConfig={"PageSize": 4}) for t in p["TableList"]]
    assert paged == listed()
    names_only = glue.get_tables(DatabaseName=db, Expression="orders", AttributesToGet=["NAME"])["TableList"]
    assert names_only == [{"Name": "orders"}]

    with pytest.raises(ClientError) as e:
        glue.get_tables(DatabaseName=db, Expression="orders(")
    assert error(e)[0] == "InvalidInputException"
    with pytest.raises(ClientError) as e:
        glue.get_tables(DatabaseName=db, NextToken="@@not-ours@@")
    assert error(e) == ("InvalidInputException", "Invalid NextToken.", 400)
    with pytest.raises(ClientError) as e:
        glue.get_tables(DatabaseName="no_such_db")
    assert error(e) == ("EntityNotFoundException", "Database no_such_db not found.", 400)


def test_batch_delete_table(glue, db):
    for n in ("a", "b", "c"):
        glue.create_table(DatabaseName=db, TableInput=table_input(n))
    out = glue.batch_delete_table(DatabaseName=db, TablesToDelete=["a", "nope", "C"])
    assert out["Errors"] == [{"TableName": "nope", "ErrorDetail": {
        "ErrorCode": "EntityNotFoundException", "ErrorMessage": "Table nope not found."}}]
    assert [t["Name"] for t in glue.get_tables(DatabaseName=db)["TableList"]] == ["b"]
    assert glue.batch_delete_table(DatabaseName=db, TablesToDelete=["b"])["Errors"] == []
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.batch_delete_table(DatabaseName="no_such_db", TablesToDelete=["a"])


def test_delete_database_deletes_its_tables(glue):
    name = gs.db_name("cascade")
    glue.create_database(DatabaseInput={"Name": name})
    glue.create_table(DatabaseName=name, TableInput=table_input("t", description="old"))
    glue.update_table(DatabaseName=name, TableInput=table_input("t", description="older"))
    glue.delete_database(Name=name)
    glue.create_database(DatabaseInput={"Name": name})
    try:
        assert glue.get_tables(DatabaseName=name)["TableList"] == []
        with pytest.raises(glue.exceptions.EntityNotFoundException):
            glue.get_table(DatabaseName=name, Name="t")
        glue.create_table(DatabaseName=name, TableInput=table_input("t"))
        assert [v["VersionId"] for v in glue.get_table_versions(DatabaseName=name, TableName="t")["TableVersions"]] \
            == ["0"]
    finally:
        glue.delete_database(Name=name)


def test_catalog_id(glue, db):
    assert glue.get_database(CatalogId=sup.ACCOUNT, Name=db)["Database"]["Name"] == db
    glue.create_table(CatalogId=sup.ACCOUNT, DatabaseName=db, TableInput=table_input("t"))
    for call in (lambda: glue.get_database(CatalogId="111122223333", Name=db),
                 lambda: glue.get_table(CatalogId="111122223333", DatabaseName=db, Name="t"),
                 lambda: glue.create_database(CatalogId="111122223333", DatabaseInput={"Name": "x"}),
                 lambda: glue.get_tables(CatalogId="111122223333", DatabaseName=db)):
        with pytest.raises(ClientError) as e:
            call()
        code, message, status = error(e)
        assert (code, status) == ("AccessDeniedException", 400)
        assert "is not authorized to perform: glue:" in message
        assert "arn:aws:glue:us-east-1:111122223333:catalog" in message


def test_model_constraints_are_validation_exceptions(glue_raw):
    # What AWS's request validation answers for the model's constraints
    # (length, pattern, range), before Glue itself sees the request.
    with pytest.raises(ClientError) as e:
        glue_raw.get_database(Name="")
    assert error(e) == ("ValidationException", "1 validation error detected: Value '' at 'name' failed to satisfy "
                        "constraint: Member must have length greater than or equal to 1", 400)
    with pytest.raises(ClientError) as e:
        glue_raw.get_tables(DatabaseName="d", MaxResults=1000)
    code, message, status = error(e)
    assert (code, status) == ("ValidationException", 400)
    assert "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100" in message
    with pytest.raises(ClientError) as e:
        glue_raw.create_database(DatabaseInput={"Name": "bad\nname"})
    assert error(e)[0] == "ValidationException"
    assert "Member must satisfy regular expression pattern" in error(e)[1]


def test_boto3_refuses_what_the_model_forbids(glue):
    with pytest.raises(ParamValidationError):
        glue.get_tables(DatabaseName="d", MaxResults=0)


def test_unserved_operation_says_so(glue):
    for call, op in ((lambda: glue.get_partitions(DatabaseName="d", TableName="t"), "GetPartitions"),
                     (lambda: glue.create_job(Name="j", Role="r", Command={"Name": "glueetl"}), "CreateJob"),
                     (lambda: glue.get_crawlers(), "GetCrawlers")):
        with pytest.raises(ClientError) as e:
            call()
        code, message, status = error(e)
        assert (code, status) == ("InvalidInputException", 400)
        assert message.startswith(f"runnel does not serve the Glue operation {op}; it serves CreateDatabase")


def test_wire_answer(db):
    """The error as bytes: AWS JSON 1.1, __type, message, 400."""
    resp = sup.raw_request(json.dumps({"Name": "nope_" + db}), target="AWSGlue.GetDatabase")
    assert resp.status == 400
    assert resp.headers["content-type"].startswith("application/x-amz-json-1.1")
    body = resp.json()
    assert body["__type"] == "EntityNotFoundException"
    assert body["message"] == f"Database nope_{db} not found."
    ok = sup.raw_request(json.dumps({"Name": db}), target="AWSGlue.GetDatabase")
    assert ok.status == 200 and ok.json()["Database"]["Name"] == db
    unknown = sup.raw_request("{}", target="AWSGlue.NoSuchOperation")
    assert unknown.status == 400 and unknown.json()["__type"] == "UnknownOperationException"


def snapshot(glue, db: str) -> dict:
    return {
        "db": glue.get_database(Name=db)["Database"],
        "tables": glue.get_tables(DatabaseName=db)["TableList"],
        "versions": glue.get_table_versions(DatabaseName=db, TableName="events")["TableVersions"],
    }


@pytest.mark.timeout_seconds(120)
@pytest.mark.parametrize("stop", ["sigterm", "kill9"])
def test_catalog_survives_restart(tmp_path, stop):
    server = sup.RunnelServer(data_dir=str(tmp_path / "data"), log_path=str(tmp_path / "server.log")).start()
    try:
        glue = gs.client(server.url)
        db = gs.db_name("durable")
        glue.create_database(DatabaseInput={"Name": db, "Description": "kept", "Parameters": {"k": "v"}})
        glue.create_table(DatabaseName=db, TableInput=table_input("events", description="v0",
                                                                  PartitionKeys=[{"Name": "dt", "Type": "string"}]))
        glue.update_table(DatabaseName=db, TableInput=table_input("events", description="v1",
                                                                  columns=(("id", "int"), ("msg", "string"))))
        glue.update_table(DatabaseName=db, TableInput=table_input("events", description="v2"), SkipArchive=True)
        glue.create_table(DatabaseName=db, TableInput=table_input("gone"))
        glue.delete_table(DatabaseName=db, Name="gone")
        glue.create_database(DatabaseInput={"Name": db + "_x"})
        glue.delete_database(Name=db + "_x")
        before = snapshot(glue, db)
        assert [v["VersionId"] for v in before["versions"]] == ["2", "0"]

        if stop == "sigterm":
            assert server.terminate() == 0
        else:
            server.kill9()
        server.start()
        glue = gs.client(server.url)
        assert snapshot(glue, db) == before
        with pytest.raises(glue.exceptions.EntityNotFoundException):
            glue.get_table(DatabaseName=db, Name="gone")
        with pytest.raises(glue.exceptions.EntityNotFoundException):
            glue.get_database(Name=db + "_x")
        # Numbering goes on where it stopped.
        glue.update_table(DatabaseName=db, TableInput=table_input("events", description="v3"))
        assert glue.get_table(DatabaseName=db, Name="events")["Table"]["VersionId"] == "3"
    finally:
        server.kill9()
