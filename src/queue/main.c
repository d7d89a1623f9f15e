/* main.c - ewdiag-queue, the program that ewdiag runs for "ewdiag queue"
 * and "ewdiag worker": libpq and libcurl are loaded by it alone. */
#include <stddef.h>

#include "../cli/commands.h"

static const ew_command commands[] = {
    {"queue", cmd_queue},
    {"worker", cmd_worker},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return ew_run_command("ewdiag-queue", commands, argc, argv);
}
