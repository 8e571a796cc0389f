// Reading a model's data: real CSV files through csv-parse and real Parquet files written by
// hyparquet-writer and read back through hyparquet.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { joinTargets, readTableFile, TableFileError } from '../../../../src/sources/models/tableFiles';

describe('model data files', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-tables-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('reads a CSV with a byte-order mark, quoted commas and newlines into number and text columns', async () => {
    const file = write('a.csv', '\uFEFFid,score,region,note\n1,0.5,north,"a, b"\n2,,south,"two\nlines"\n3,1e-3,north,plain\n');
    const t = await readTableFile({ path: file });
    assert.equal(t.rowCount, 3);
    const score = t.columns.get('score');
    assert.equal(score?.kind, 'number');
    assert.deepEqual(Array.from(score!.kind === 'number' ? score!.values : []).map((v) => (Number.isNaN(v) ? 'NaN' : v)), [0.5, 'NaN', 0.001]);
    assert.deepEqual(t.columns.get('region'), { kind: 'text', values: ['north', 'south', 'north'] });
    assert.deepEqual(t.columns.get('note'), { kind: 'text', values: ['a, b', 'two\nlines', 'plain'] });
    assert.equal(t.columns.get('id')?.kind, 'number');
  });

  it('keeps a column as text from the first value that is not a number, the earlier numbers as their text', async () => {
    const t = await readTableFile({ path: write('mixed.csv', 'code\n1\n2\nX7\n') });
    assert.deepEqual(t.columns.get('code'), { kind: 'text', values: ['1', '2', 'X7'] });
  });

  it('keeps hostile cell text as data, and never quotes a cell in an error', async () => {
    const t = await readTableFile({ path: write('hostile.csv', 'f\n"<img src=x onerror=alert(1)>"\n"$(rm -rf ~)"\n') });
    assert.deepEqual(t.columns.get('f'), { kind: 'text', values: ['<img src=x onerror=alert(1)>', '$(rm -rf ~)'] });
    const bad = write('bad.csv', 'a,b\n1,2\n3,"secret-cell-text\n');
    await assert.rejects(readTableFile({ path: bad }), (err: Error) => err instanceof TableFileError && /not a valid CSV file/.test(err.message) && !err.message.includes('secret-cell-text'));
  });

  it('refuses a row with the wrong number of fields, naming the line', async () => {
    const file = write('ragged.csv', 'a,b\n1,2\n3,4,5\n');
    await assert.rejects(readTableFile({ path: file }), /ragged\.csv: not a valid CSV file \(line 3\)/);
  });

  it('refuses a duplicated header, a file past the size cap and a table past the row cap', async () => {
    await assert.rejects(readTableFile({ path: write('dup.csv', 'a,a\n1,2\n') }), /the column "a" appears twice/);
    const big = write('big.csv', 'a\n' + '1\n'.repeat(1000));
    await assert.rejects(readTableFile({ path: big }, { maxBytes: 100 }), /more than the 100 a data file may have/);
    await assert.rejects(readTableFile({ path: big }, { maxRows: 10 }), /more than 10 rows/);
    await assert.rejects(readTableFile({ path: path.join(dir, 'missing.csv') }), /missing\.csv: cannot be read \(ENOENT\)/);
    await assert.rejects(readTableFile({ path: write('x.xlsx', 'x') }), /cannot tell the format/);
  });

  it('reads the columns it is asked for only', async () => {
    const t = await readTableFile({ path: write('cols.csv', 'a,b,c\n1,2,3\n') }, { columns: ['a', 'c'] });
    assert.deepEqual([...t.columns.keys()], ['a', 'c']);
  });

  it('reads a Parquet file written by hyparquet-writer: doubles, strings, 64-bit integers, nulls and timestamps', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const when = [Date.UTC(2021, 5, 1), Date.UTC(2021, 6, 1), Date.UTC(2021, 7, 1)];
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'score', data: [0.25, 0.5, null], type: 'DOUBLE' },
        { name: 'region', data: ['north', 'south', 'east'], type: 'STRING' },
        { name: 'count', data: [1n, 2n, 3n], type: 'INT64' },
        { name: 'at', data: when.map((t) => new Date(t)), type: 'TIMESTAMP' },
      ],
    });
    const file = write('data.parquet', Buffer.from(buffer));
    const t = await readTableFile({ path: file });
    assert.equal(t.rowCount, 3);
    const score = t.columns.get('score');
    assert.equal(score?.kind, 'number');
    assert.deepEqual(Array.from(score!.kind === 'number' ? score!.values : []).slice(0, 2), [0.25, 0.5]);
    assert.ok(score!.kind === 'number' && Number.isNaN(score!.values[2]), 'a null is missing');
    assert.deepEqual(t.columns.get('region'), { kind: 'text', values: ['north', 'south', 'east'] });
    assert.deepEqual(t.columns.get('count'), { kind: 'number', values: Float64Array.from([1, 2, 3]) });
    assert.deepEqual(t.columns.get('at'), { kind: 'text', values: when.map((x) => new Date(x).toISOString()) });
  });

  it('refuses a file that is not Parquet', async () => {
    await assert.rejects(readTableFile({ path: write('fake.parquet', 'id,score\n1,2\n') }), /fake\.parquet: not a valid Parquet file/);
  });

  it('joins late targets on a key column; rows without one keep a missing target', async () => {
    const current = await readTableFile({ path: write('cur.csv', 'id,x\n10,1\n11,2\n12,3\n') });
    const targets = await readTableFile({ path: write('gt.csv', 'id,y\n12,1\n10,0\n') });
    const joined = joinTargets(current, targets, 'id', 'y');
    const y = joined.columns.get('y');
    assert.ok(y?.kind === 'number');
    assert.deepEqual(Array.from(y.values).map((v) => (Number.isNaN(v) ? null : v)), [0, null, 1]);
    assert.throws(() => joinTargets(current, targets, 'nope', 'y'), /has no join column "nope"/);
  });
});
