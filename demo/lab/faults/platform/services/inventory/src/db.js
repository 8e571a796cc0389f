'use strict';
// The inventory database: one pg pool per process, settings from config/inventory.json; PGHOST,
// PGPORT, PGUSER and PGDATABASE override them, as libpq's tools do.
const { Pool } = require('pg');
const config = require('../../../config/inventory.json');

const db = config.database;
const pool = new Pool({
  host: process.env.PGHOST || db.host,
  port: Number(process.env.PGPORT || db.port),
  database: process.env.PGDATABASE || db.database,
  user: process.env.PGUSER || db.user,
  application_name: 'inventory',
  statement_timeout: db.statementTimeoutMs,
  ...db.pool,
});

module.exports = { pool };
