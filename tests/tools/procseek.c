// SPDX-License-Identifier: GPL-2.0
/*
 * procseek: reads a seq_file far from where the last read stopped, again
 * and again, for a while (tests/attack/vm_unprivileged.sh, the stall of
 * issue 14 item 10). Each pread() is at another offset past the end, so
 * the kernel walks the listing from its start up to there every time.
 *
 *   procseek FILE SECONDS      (or until SIGINT/SIGTERM)
 *
 * Prints "reads N" (N > 0: the file could be read) and exits 0, or 1 when
 * the file cannot be opened.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct timespec now, end;
	unsigned long reads = 0;
	static char buf[4096];
	off_t off = 1L << 30;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: procseek FILE SECONDS\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atoi(argv[2]);
	do {
		if (pread(fd, buf, sizeof(buf), off++) >= 0)
			reads++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!stop && (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec)));
	printf("reads %lu\n", reads);
	close(fd);
	return 0;
}
