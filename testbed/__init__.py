"""What the tests, the benchmark and the tools share: WSL2 twins, their mirrors, and real tools' output."""
