// The JSON Schema subset our tools declare their inputs in (the same schema goes to the model as the
// tool's parameters, to VS Code's languageModelTools and to MCP's tools/list), and the check of a
// model's arguments against it. The check's messages are written for the model: they say which field
// is wrong and what it should be, so the model can correct its call.

export type JsonSchema =
  | { type: 'string'; description?: string; enum?: readonly string[]; maxLength?: number; pattern?: string }
  | { type: 'integer' | 'number'; description?: string; minimum?: number; maximum?: number }
  | { type: 'boolean'; description?: string }
  | { type: 'array'; description?: string; items: JsonSchema; maxItems?: number }
  | ObjectSchema;

export interface ObjectSchema {
  type: 'object';
  description?: string;
  properties: Record<string, JsonSchema>;
  required?: readonly string[];
  /** For free-form maps (action parameters): the schema of every value. */
  additionalProperties?: boolean | JsonSchema;
}

export type ArgsCheck = { ok: true; value: Record<string, unknown> } | { ok: false; problems: string[] };

function checkValue(schema: JsonSchema, v: unknown, at: string, problems: string[]): unknown {
  switch (schema.type) {
    case 'string':
      if (typeof v !== 'string') {
        problems.push(`${at} must be a string`);
        return undefined;
      }
      if (schema.maxLength !== undefined && v.length > schema.maxLength) problems.push(`${at} must be at most ${schema.maxLength} characters`);
      if (schema.enum && !schema.enum.includes(v)) problems.push(`${at} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
      if (schema.pattern && !new RegExp(schema.pattern).test(v)) problems.push(`${at} must match ${schema.pattern}`);
      return v;
    case 'integer':
    case 'number': {
      // Models often quote numbers; a numeric string is accepted as its number.
      const n = typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n) || (schema.type === 'integer' && !Number.isInteger(n))) {
        problems.push(`${at} must be ${schema.type === 'integer' ? 'an integer' : 'a number'}`);
        return undefined;
      }
      if (schema.minimum !== undefined && n < schema.minimum) problems.push(`${at} must be at least ${schema.minimum}`);
      if (schema.maximum !== undefined && n > schema.maximum) problems.push(`${at} must be at most ${schema.maximum}`);
      return n;
    }
    case 'boolean':
      if (typeof v !== 'boolean') problems.push(`${at} must be true or false`);
      return v;
    case 'array':
      if (!Array.isArray(v)) {
        problems.push(`${at} must be an array`);
        return undefined;
      }
      if (schema.maxItems !== undefined && v.length > schema.maxItems) problems.push(`${at} must have at most ${schema.maxItems} items`);
      return v.map((x, i) => checkValue(schema.items, x, `${at}[${i}]`, problems));
    case 'object':
      return checkObject(schema, v, at, problems);
  }
}

function checkObject(schema: ObjectSchema, v: unknown, at: string, problems: string[]): Record<string, unknown> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push(`${at || 'the arguments'} must be a JSON object`);
    return undefined;
  }
  const rec = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of schema.required ?? []) if (rec[name] === undefined || rec[name] === null) problems.push(`${at ? `${at}.` : ''}${name} is required`);
  for (const [k, x] of Object.entries(rec)) {
    if (x === undefined || x === null) continue;
    const prop = Object.prototype.hasOwnProperty.call(schema.properties, k) ? schema.properties[k] : undefined;
    const where = at ? `${at}.${k}` : k;
    if (prop) out[k] = checkValue(prop, x, where, problems);
    else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out[k] = checkValue(schema.additionalProperties, x, where, problems);
    else if (schema.additionalProperties !== true) problems.push(`${where} is not a parameter of this tool (parameters: ${Object.keys(schema.properties).join(', ') || 'none'})`);
  }
  return out;
}

/** Checks a tool's arguments; numeric strings become numbers. */
export function checkArgs(schema: ObjectSchema, args: unknown): ArgsCheck {
  const problems: string[] = [];
  const value = checkObject(schema, args ?? {}, '', problems);
  return problems.length || !value ? { ok: false, problems: problems.length ? problems : ['the arguments must be a JSON object'] } : { ok: true, value };
}
