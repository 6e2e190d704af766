// Fails when a public export lacks a TSDoc summary or an @example. Reads the JSON that
// `typedoc --json` writes (npm run docs does both), so it sees exactly what the API reference shows.
import { readFileSync } from 'node:fs'
const project = JSON.parse(readFileSync(process.argv[2] ?? 'docs/api/api.json', 'utf8'))
const kindNames = { 8: 'Enum', 32: 'Variable', 64: 'Function', 128: 'Class', 256: 'Interface', 2097152: 'TypeAlias', 4194304: 'Reference' }
function commentOf(r) {
  if (r.comment) return r.comment
  for (const s of r.signatures ?? []) if (s.comment) return s.comment
  if (r.type?.declaration?.signatures) for (const s of r.type.declaration.signatures) if (s.comment) return s.comment
  return undefined
}
let missing = 0, total = 0
// With several entry points typedoc nests one module per entry.
const exports = (project.children ?? []).flatMap((c) => (c.kind === 2 ? (c.children ?? []) : [c]))
for (const r of exports) {
  if (r.kind === 4194304) continue
  total++
  const c = commentOf(r)
  const hasSummary = !!c?.summary?.some((p) => p.text.trim())
  const hasExample = !!c?.blockTags?.some((t) => t.tag === '@example')
  if (!hasSummary || !hasExample) {
    missing++
    console.log(`${kindNames[r.kind] ?? r.kind}\t${r.name}\t${hasSummary ? '' : 'no-summary'}\t${hasExample ? '' : 'no-example'}\t${r.sources?.[0]?.fileName ?? ''}`)
  }
}
console.log(`${missing} of ${total} exports lack a summary or an @example`)
if (missing > 0) process.exit(1)
