#!/bin/sh
exec "${SM_BUILD:-build/san}/tests/unit/plan"
