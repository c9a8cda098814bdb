#include "harden/cli.h"

int main(int argc, char** argv) { return harden::run_cli(argc, argv); }
