/* main.c - ewdiag-serve, the program that ewdiag runs for "ewdiag serve":
 * libmicrohttpd (and libpq) are loaded by it alone. */
#include <stddef.h>

#include "../cli/commands.h"

static const ew_command commands[] = {
    {"serve", cmd_serve},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return ew_run_command("ewdiag-serve", commands, argc, argv);
}
