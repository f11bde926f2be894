"""The benchmark harness: suites of models x datasets x seeds under one budget, scored the same way."""
