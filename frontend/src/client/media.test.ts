import { describe, expect, it } from 'vitest';
import { reasonForError } from './media';

describe('reasonForError', () => {
  const cases: [string, ReturnType<typeof reasonForError>][] = [
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotFoundError', 'no-devices'],
    ['OverconstrainedError', 'no-devices'],
    ['NotReadableError', 'in-use'],
    ['TypeError', 'failed'],
    ['', 'failed'],
  ];
  for (const [name, want] of cases) it(name || '(no name)', () => expect(reasonForError(name)).toBe(want));
});
