'use strict';
// Applies the SQL files in migrations/ that the database has not seen, in name order, each in its
// own transaction, and records them in schema_migrations.
const fs = require('node:fs');
const path = require('node:path');

const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

async function migrate(pool, log) {
  await pool.query('CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const applied = new Set((await pool.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
  const pending = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && !applied.has(f)).sort();
  for (const file of pending) {
    const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8');
    const client = await pool.connect();
    const started = Date.now();
    try {
      log('info', `applying migration ${file}`, { 'db.migration.version': file });
      // Migrations may run as long as they need; the pool's statement timeout is for requests.
      await client.query('SET statement_timeout = 0');
      await client.query('BEGIN');
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
      await client.query('COMMIT');
      log('info', `applied migration ${file} in ${Date.now() - started} ms`, { 'db.migration.version': file });
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw Object.assign(new Error(`migration ${file} failed: ${err.message}`), { cause: err });
    } finally {
      await client.query('RESET statement_timeout').catch(() => {});
      client.release();
    }
  }
  return pending;
}

module.exports = { migrate };

if (require.main === module) {
  const { pool } = require('./db');
  migrate(pool, (level, message) => process.stdout.write(`${level}: ${message}\n`))
    .then((done) => process.stdout.write(`${done.length} migration(s) applied\n`))
    .catch((err) => {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    })
    .finally(() => pool.end());
}
