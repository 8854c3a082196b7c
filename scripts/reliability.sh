#!/bin/sh
# The reliability suite (npm run test:reliability, after the build). The fault runs that play a page through timed
# faults run alone, as a shopper's machine would; every other file (new ones too) runs two at a time, each against
# its own gateway, which halves the suite's time on two cores.
set -eu
cd "$(dirname "$0")/.."
ALONE="test/reliability/publisher-flap.test.ts test/reliability/transcoder-kill.test.ts"
rest=$(ls test/reliability/*.test.ts | grep -v -e /publisher-flap.test.ts -e /transcoder-kill.test.ts)
node --import tsx --test --test-reporter=spec --test-force-exit --test-timeout=900000 --test-concurrency=2 $rest
node --import tsx --test --test-reporter=spec --test-force-exit --test-timeout=900000 --test-concurrency=1 $ALONE
