import { testEnvironment } from '@sextant/testing';
import { Pool } from 'pg';
import { toProblem } from './problem';

const ctx = { path: '/x', requestId: 'r1', exposeStack: false };

// Errors raised by a real PostgreSQL and pg pool, not hand-made ones: what a service sees when
// the database is saturated or gone must reach the client as 503 with Retry-After, not 500.
describe('toProblem with real database errors', () => {
  const env = testEnvironment();
  const url = new URL(env.adminUrl);
  url.pathname = `/${env.database}`;

  it('answers 503 when no pool connection comes free in time', async () => {
    // The timeout also bounds opening the one connection, so it must allow a slow connect on a
    // busy machine (50 ms did not, once); the wait for it to come free then lasts this long too.
    const pool = new Pool({ connectionString: url.toString(), max: 1, connectionTimeoutMillis: 1_000 });
    const held = await pool.connect();
    try {
      const error = await pool.query('select 1').catch((e: unknown) => e);
      const { problem, headers } = toProblem(error, ctx);
      expect(problem).toMatchObject({ status: 503, code: 'database_unavailable' });
      expect(headers['retry-after']).toBe('1');
    } finally {
      held.release();
      await pool.end();
    }
  });

  it('answers 503 to a deadlock, and 500 to a plain SQL error (a bug, not a transient state)', async () => {
    const pool = new Pool({ connectionString: url.toString(), max: 3 });
    const table = `deadlock_${process.pid}_${Date.now()}`;
    await pool.query(
      `create table ${table} (id int primary key, v int); insert into ${table} values (1, 0), (2, 0)`,
    );
    const [a, b] = [await pool.connect(), await pool.connect()];
    try {
      await a.query('begin');
      await b.query('begin');
      await a.query(`update ${table} set v = 1 where id = 1`);
      await b.query(`update ${table} set v = 1 where id = 2`);
      const outcomes = await Promise.allSettled([
        a.query(`update ${table} set v = 2 where id = 2`),
        b.query(`update ${table} set v = 2 where id = 1`),
      ]);
      const deadlock = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect((deadlock.reason as { code: string }).code).toBe('40P01');
      expect(toProblem(deadlock.reason, ctx).problem.status).toBe(503);
      const syntax = await pool.query('select * from no_such_table_here').catch((e: unknown) => e);
      expect(toProblem(syntax, ctx).problem).toMatchObject({ status: 500, code: 'internal_error' });
    } finally {
      await a.query('rollback').catch(() => undefined);
      await b.query('rollback').catch(() => undefined);
      a.release();
      b.release();
      await pool.query(`drop table ${table}`);
      await pool.end();
    }
  });
});
