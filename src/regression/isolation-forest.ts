// Isolation Forest (Liu, Ting & Zhou, 2008) with a seeded PRNG: the same seed, the same
// trees, the same scores — on every run and machine.
import { type Random, seededRandom } from './random'

const EULER = 0.5772156649015329

/** Average path length of an unsuccessful BST search among n points: the normalizer c(n). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0
  if (n === 2) return 1
  const harmonic = Math.log(n - 1) + EULER
  return 2 * harmonic - (2 * (n - 1)) / n
}

interface Leaf {
  size: number
}

interface Split {
  dim: number
  value: number
  left: Node
  right: Node
}

type Node = Leaf | Split

/** Settings of an {@link IsolationForest}. */
export interface IsolationForestSettings {
  trees: number
  sampleSize: number
  seed: number
}

/**
 * An ensemble of random isolation trees. Points that random axis-parallel cuts separate from
 * the rest quickly (short paths) are anomalies; the score is s = 2^(−E[h(x)]/c(ψ)), with ψ the
 * subsample size: near 1 for anomalies, about 0.5 or below for ordinary points.
 */
export class IsolationForest {
  readonly #roots: Node[] = []
  readonly #normalizer: number

  constructor(points: ReadonlyArray<ArrayLike<number>>, settings: IsolationForestSettings) {
    const random = seededRandom(settings.seed)
    const psi = Math.min(settings.sampleSize, points.length)
    this.#normalizer = averagePathLength(psi)
    const heightLimit = Math.ceil(Math.log2(Math.max(2, psi)))
    const indices = new Uint32Array(points.length).map((_, i) => i)
    for (let t = 0; t < settings.trees; t++) {
      // Partial Fisher–Yates: the first psi entries become a sample without replacement.
      for (let i = 0; i < psi; i++) {
        const j = i + Math.floor(random() * (indices.length - i))
        const tmp = indices[i] as number
        indices[i] = indices[j] as number
        indices[j] = tmp
      }
      const sample = Array.from(indices.subarray(0, psi), (i) => points[i] as ArrayLike<number>)
      this.#roots.push(grow(sample, 0, heightLimit, random))
    }
  }

  /** Anomaly score of `point`, in (0, 1]. */
  score(point: ArrayLike<number>): number {
    if (this.#normalizer === 0) return 0.5
    let total = 0
    for (const root of this.#roots) total += pathLength(root, point, 0)
    return 2 ** (-(total / this.#roots.length) / this.#normalizer)
  }
}

function grow(sample: ReadonlyArray<ArrayLike<number>>, depth: number, limit: number, random: Random): Node {
  if (depth >= limit || sample.length <= 1) return { size: sample.length }
  const dims = (sample[0] as ArrayLike<number>).length
  // Only dimensions that still vary can split the sample.
  const candidates: Array<[number, number, number]> = []
  for (let d = 0; d < dims; d++) {
    let min = Infinity
    let max = -Infinity
    for (const p of sample) {
      const v = p[d] as number
      if (v < min) min = v
      if (v > max) max = v
    }
    if (max > min) candidates.push([d, min, max])
  }
  if (candidates.length === 0) return { size: sample.length }
  const [dim, min, max] = candidates[Math.floor(random() * candidates.length)] as [number, number, number]
  let value = min + random() * (max - min)
  if (value <= min) value = (min + max) / 2 // random() can return 0
  const left = sample.filter((p) => (p[dim] as number) < value)
  const right = sample.filter((p) => (p[dim] as number) >= value)
  return { dim, value, left: grow(left, depth + 1, limit, random), right: grow(right, depth + 1, limit, random) }
}

function pathLength(node: Node, point: ArrayLike<number>, depth: number): number {
  let current = node
  let d = depth
  while ('dim' in current) {
    current = (point[current.dim] as number) < current.value ? current.left : current.right
    d++
  }
  return d + averagePathLength(current.size)
}
