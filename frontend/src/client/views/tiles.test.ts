import { describe, expect, it } from 'vitest';
import { gridColumns, initials } from './tiles';

describe('initials', () => {
  const cases: [string, string][] = [
    ['Amber Fox', 'AF'],
    ['ana', 'AN'],
    ['Jean Luc Picard', 'JP'],
    ['小明', '小明'],
    ['  ', ''],
    ['😀 smile', '😀S'],
  ];
  for (const [name, want] of cases) it(JSON.stringify(name), () => expect(initials(name)).toBe(want));
});

describe('gridColumns', () => {
  it('re-flows with the number of tiles', () => {
    expect([1, 2, 3, 4, 5, 9, 10, 16, 17, 32].map((n) => gridColumns(n, false))).toEqual([1, 2, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([1, 2, 3, 4, 8].map((n) => gridColumns(n, true))).toEqual([1, 1, 1, 2, 2]);
  });
});
