// Vite empties dist/ on every build; go:embed needs the placeholder that
// .gitignore keeps, so put it back.
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/.gitkeep', import.meta.url), '');
