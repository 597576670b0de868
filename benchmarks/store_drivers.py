"""The PostgreSQL driver for the verdict store, chosen by measurement (docs/store.md):
100,000 verdict upserts (batches of 500, a commit each) then reads (500 keys a query),
per driver, against a real server started as the tests start it (tests/pgserver.py).

    .venv/bin/pip install asyncpg pg8000   # the candidates besides psycopg (throw-away)
    .venv/bin/python benchmarks/store_drivers.py
"""
import asyncio, json, sys, time, resource
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "tests"))
import pgserver

N, B = 100_000, 500
DDL = """DROP TABLE IF EXISTS links; CREATE TABLE links (url text PRIMARY KEY, status text NOT NULL, http_status integer,
 checked_at timestamptz, failures integer NOT NULL, verdict jsonb, history jsonb NOT NULL)"""
UPSERT = ("INSERT INTO links (url, status, http_status, checked_at, failures, verdict, history) VALUES ({}) "
          "ON CONFLICT (url) DO UPDATE SET status = EXCLUDED.status, http_status = EXCLUDED.http_status, "
          "checked_at = EXCLUDED.checked_at, failures = EXCLUDED.failures, verdict = EXCLUDED.verdict, history = EXCLUDED.history")
def rows():
    out = []
    for i in range(N):
        url = f"https://host{i % 500}.example.org/story/{i}"
        v = {"status": "ok", "http_status": 200, "final_url": url, "redirects": [], "error": None, "checked_at": "2026-05-20T10:00:00+00:00", "elapsed_ms": 12}
        out.append((url, "ok", 200, "2026-05-20T10:00:00+00:00", 0, json.dumps(v), json.dumps([["2026-05-20T10:00:00+00:00", "ok"]])))
    return out

def cpu(): r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime

def bench_psycopg(url, data):
    import psycopg
    with psycopg.connect(url) as c:
        c.execute(DDL); c.commit()
        t, u = time.perf_counter(), cpu()
        q = UPSERT.format(", ".join(["%s"] * 5 + ["%s::jsonb"] * 2))
        for s in range(0, N, B):
            with c.cursor() as cur: cur.executemany(q, data[s:s + B])
            c.commit()
        w, wc = time.perf_counter() - t, cpu() - u
        keys = [r[0] for r in data]; t, u = time.perf_counter(), cpu(); n = 0
        for s in range(0, N, B):
            n += len(c.execute("SELECT url, status, http_status, checked_at, failures, verdict, history FROM links WHERE url = ANY(%s)", (keys[s:s + B],)).fetchall())
        c.commit()
        return w, wc, time.perf_counter() - t, cpu() - u, n

def bench_pg8000(url, data):
    import pg8000.native, urllib.parse as up
    p = up.urlsplit(url)
    c = pg8000.native.Connection(p.username, host=p.hostname, port=p.port, database=p.path[1:], password=p.password)
    for stmt in DDL.split(";"): c.run(stmt)
    t, u = time.perf_counter(), cpu()
    # pg8000 has no pipelined executemany: one multi-row statement per batch via unnest arrays
    q = ("INSERT INTO links (url, status, http_status, checked_at, failures, verdict, history) SELECT * FROM unnest("
         "CAST(:a AS text[]), CAST(:b AS text[]), CAST(:c AS int[]), CAST(:d AS timestamptz[]), CAST(:e AS int[]), CAST(:f AS jsonb[]), CAST(:g AS jsonb[])) "
         "ON CONFLICT (url) DO UPDATE SET status = EXCLUDED.status, verdict = EXCLUDED.verdict, history = EXCLUDED.history")
    for s in range(0, N, B):
        chunk = data[s:s + B]; cols = list(zip(*chunk))
        c.run("BEGIN"); c.run(q, a=list(cols[0]), b=list(cols[1]), c=list(cols[2]), d=list(cols[3]), e=list(cols[4]), f=list(cols[5]), g=list(cols[6])); c.run("COMMIT")
    w, wc = time.perf_counter() - t, cpu() - u
    keys = [r[0] for r in data]; t, u = time.perf_counter(), cpu(); n = 0
    for s in range(0, N, B):
        n += len(c.run("SELECT url, status, http_status, checked_at, failures, verdict, history FROM links WHERE url = ANY(CAST(:k AS text[]))", k=keys[s:s + B]))
    c.close()
    return w, wc, time.perf_counter() - t, cpu() - u, n

def bench_asyncpg(url, data):
    import asyncpg, datetime
    async def main():
        c = await asyncpg.connect(url)
        await c.execute(DDL)
        d = [(r[0], r[1], r[2], datetime.datetime.fromisoformat(r[3]), r[4], r[5], r[6]) for r in data]
        t, u = time.perf_counter(), cpu()
        q = UPSERT.format("$1, $2, $3, $4, $5, $6::jsonb, $7::jsonb")
        for s in range(0, N, B):
            async with c.transaction(): await c.executemany(q, d[s:s + B])
        w, wc = time.perf_counter() - t, cpu() - u
        keys = [r[0] for r in data]; t, u = time.perf_counter(), cpu(); n = 0
        for s in range(0, N, B):
            n += len(await c.fetch("SELECT url, status, http_status, checked_at, failures, verdict, history FROM links WHERE url = ANY($1::text[])", keys[s:s + B]))
        await c.close()
        return w, wc, time.perf_counter() - t, cpu() - u, n
    return asyncio.run(main())

if __name__ == "__main__":
    data = rows()
    with pgserver.running() as server:
        for name in sys.argv[1:] or ["psycopg", "pg8000", "asyncpg"]:
            for attempt in (1, 2):
                w, wc, r, rc, n = globals()["bench_" + name](server.url, data)
                print(f"{name:8} run {attempt}: write {w:5.2f} s wall {wc:5.2f} s CPU ({N / w:,.0f}/s)   read {r:5.2f} s wall {rc:5.2f} s CPU ({n:,} rows)", flush=True)
