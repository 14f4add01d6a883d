import { createParser } from '../../src/sse/parser';

/** Everything a parser reports, in order: events with type, data and last event id; retries; comments. */
export type Report = ['event', string, string, string] | ['retry', number] | ['comment', string];

/** Feeds the chunks one by one to our parser and returns what it reported. */
export function parseChunks(chunks: string[]): Report[] {
  const out: Report[] = [];
  const parser = createParser({
    onEvent: ({ type, data, lastEventId }) => out.push(['event', type, data, lastEventId]),
    onRetry: (ms) => out.push(['retry', ms]),
    onComment: (comment) => out.push(['comment', comment]),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return out;
}
