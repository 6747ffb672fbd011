#!/bin/sh
# 0105-unit-sha256-portable.t - the unit tests of 0103 again with SHA-256 in portable C, not
# the CPU's SHA instructions (the code a machine without them runs)
SM_SHA256_PORTABLE=1 exec "${SM_BUILD:-build/san}/tests/unit/util"
