import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A database of the test's own on the local PostgreSQL (PGHOST/PGPORT/PGUSER, default
 * 127.0.0.1:5432 as postgres with trust auth), dropped again by drop().
 */
export interface TestDatabase {
  readonly name: string;
  readonly connectionString: string;
  drop(): Promise<void>;
}

export function adminConnectionString(db = 'postgres'): string {
  const host = process.env.PGHOST ?? '127.0.0.1';
  const port = process.env.PGPORT ?? '5432';
  const user = process.env.PGUSER ?? 'postgres';
  return `postgresql://${user}@${host}:${port}/${db}`;
}

export async function createTestDatabase(prefix = 'warden_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminConnectionString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    connectionString: adminConnectionString(name),
    async drop() {
      const c = new Client({ connectionString: adminConnectionString() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
