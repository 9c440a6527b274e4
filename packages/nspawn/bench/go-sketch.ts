// Measures the original Go sketch on this machine, so that the render bench can compare against the
// sketch as it runs here and now, not only against the figure the issue gives. Needs `go` on PATH and the
// sketch's isolation.go (VOLT_GO_SKETCH=path); the sketch is copied into a temporary module, never into
// this repository.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The sketch's own render path for a new container, as the original design uses it: DefaultIsolation,
// then the command-line arguments and the .nspawn block. The sinks keep the compiler from dropping work.
const SKETCH_BENCHMARK = `package hybrid

import (
\t"strconv"
\t"testing"
)

var sinkArgs []string
var sinkBlock string

func BenchmarkRender(b *testing.B) {
\tfor i := 0; i < b.N; i++ {
\t\tname := "web-" + strconv.Itoa(i%4096)
\t\tiso := DefaultIsolation("/var/lib/machines/" + name)
\t\tsinkArgs = iso.NspawnArgs()
\t\tsinkBlock = iso.NspawnConfigBlock(name)
\t}
}
`;

/**
 * Renders per second of the Go sketch in each of `count` 1 s rounds (one core: GOMAXPROCS=1), or the reason
 * it could not be measured.
 *
 * @example
 * ```ts
 * measureGoSketch('/path/to/isolation.go', 3); // { rounds: [262000, 251000, 270000] }
 * ```
 */
export function measureGoSketch(
  sketchFile: string,
  count: number,
): { readonly rounds: readonly number[] } | { readonly unavailable: string } {
  const dir = mkdtempSync(join(tmpdir(), 'volt-go-sketch-'));
  try {
    copyFileSync(sketchFile, join(dir, 'isolation.go'));
    writeFileSync(join(dir, 'go.mod'), 'module hybrid\n\ngo 1.19\n');
    writeFileSync(join(dir, 'sketch_test.go'), SKETCH_BENCHMARK);
    const run = spawnSync('go', ['test', '-run=^$', '-bench=Render', '-benchtime=1s', `-count=${count}`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        GOMAXPROCS: '1',
        GOFLAGS: '-mod=mod',
        GOPROXY: 'off',
        GOCACHE: join(dir, 'cache'),
        GOPATH: join(dir, 'gopath'),
      },
    });
    if (run.error !== undefined) return { unavailable: `go could not run: ${run.error.message}` };
    if (run.status !== 0) return { unavailable: `go test exited ${run.status}: ${run.stderr.trim()}` };
    const rounds = [...run.stdout.matchAll(/^BenchmarkRender\S*\s+\d+\s+([\d.]+) ns\/op/gm)].map(
      (match) => 1e9 / Number(match[1]),
    );
    if (rounds.length === 0) return { unavailable: `no benchmark result in: ${run.stdout.trim()}` };
    return { rounds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
