// tokenize, for the tests that keep every word a person reads in the
// catalogues (client/literals.test.ts, window/window.test.ts): it splits
// TypeScript source into code and string literals, dropping comments, so
// a test can look at each literal and the code just before it. Not a
// parser: enough of TypeScript's lexical rules for this code base
// (comments, regular expressions, nested template substitutions).

/** Token is a piece of TypeScript: code, or the text of a string literal with its quote, offset and line. */
export type Token = { kind: 'code'; text: string } | { kind: 'string'; text: string; quote: string; at: number; line: number };

/** tokenize splits TypeScript source into code and string literals, dropping comments. A template substitution's ${ and } stay in the code. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let code = '';
  const flush = () => {
    if (code) out.push({ kind: 'code', text: code });
    code = '';
  };
  const lineAt = (i: number) => src.slice(0, i).split('\n').length;
  const templates: number[] = []; // brace depth where each open template's ${ began
  let braces = 0;
  let i = 0;
  const regexAllowed = () => /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof)\s*$/.test(code.slice(-20) || '(');
  // readString reads a literal's text from start (after its opening quote,
  // or after a substitution's }) to its end or to the next ${.
  const readString = (quote: string, start: number, at: number): number => {
    let j = start;
    let text = '';
    while (j < src.length && src[j] !== quote) {
      if (src[j] === '\\') {
        text += src.slice(j, j + 2);
        j += 2;
        continue;
      }
      if (quote === '`' && src[j] === '$' && src[j + 1] === '{') break;
      text += src[j++];
    }
    flush();
    out.push({ kind: 'string', text, quote, at, line: lineAt(at) });
    return j;
  };
  // afterString goes on after a literal that ended at j: past its closing
  // quote, or into a template substitution.
  const afterString = (quote: string, j: number): number => {
    if (quote === '`' && src[j] === '$') {
      templates.push(braces);
      braces++;
      code += '${';
      return j + 2;
    }
    return j + 1;
  };
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
      continue;
    }
    if (c === '/' && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && (src[j] !== '/' || inClass) && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        j++;
      }
      code += 'REGEX';
      i = j + 1;
      while (/[a-z]/.test(src[i] ?? '')) i++;
      continue;
    }
    if (c === '}' && templates.length > 0 && templates.at(-1) === braces - 1) {
      // the end of a ${…} inside a template literal: the template goes on
      templates.pop();
      braces--;
      code += '}';
      i = afterString('`', readString('`', i + 1, i));
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      i = afterString(c, readString(c, i + 1, i));
      continue;
    }
    if (c === '{') braces++;
    if (c === '}') braces--;
    code += c;
    i++;
  }
  flush();
  return out;
}
