// SPDX-License-Identifier: GPL-2.0
/* The agent's one loader of secrets; the rules are in keyfile.h. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* What a file may hold beyond the key: a final "\r\n". */
#define KEYFILE_EOL	2

static int kerr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int kerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *shown_path(const char *path)
{
	return strcmp(path, "-") ? path : "standard input";
}

/*
 * The checks of a named file, on what fstat() says of the file opened
 * (not of the name, which could have changed in between).
 */
static int check_file(const char *path, const struct stat *st, size_t max,
		      char *err, size_t errlen)
{
	uid_t me = geteuid();

	if (S_ISDIR(st->st_mode))
		return kerr(err, errlen, "%s: is a directory, not a key file",
			    path);
	if (!S_ISREG(st->st_mode))
		return kerr(err, errlen, "%s: not a regular file (a key file "
			    "must be one)", path);
	if (st->st_uid != 0 && st->st_uid != me)
		return kerr(err, errlen, "%s: owned by uid %u: a key file must "
			    "belong to root or to the user running mice (uid %u)",
			    path, (unsigned int)st->st_uid, (unsigned int)me);
	/* as ssh refuses a private key others can read */
	if (st->st_mode & (S_IRWXG | S_IRWXO))
		return kerr(err, errlen, "%s: permissions %04o are too open: a "
			    "key file must not be readable or writable by group "
			    "or others; fix with `chmod 600 %s`", path,
			    (unsigned int)(st->st_mode & 07777), path);
	if ((unsigned long long)st->st_size > max + KEYFILE_EOL)
		return kerr(err, errlen, "%s: %lld bytes: a key is at most %zu "
			    "bytes (and a final newline); refusing rather than "
			    "cutting it", path, (long long)st->st_size, max);
	return 0;
}

/* Up to @cap bytes of @fd into @buf; -1 with errno on a read error. */
static ssize_t read_all(int fd, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/*
 * The raw bytes of the key file (trailing CR/LF removed) into @buf, which
 * has room for @max + KEYFILE_EOL + 1 bytes.
 */
static int read_key(const char *path, uint8_t *buf, size_t max, size_t *len,
		    char *err, size_t errlen)
{
	bool is_stdin = !strcmp(path, "-");
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	if (is_stdin) {
		fd = STDIN_FILENO;
	} else {
		/* O_NONBLOCK: a FIFO must not hang the open; it is refused */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
			  O_NONBLOCK);
		if (fd < 0 && errno == ELOOP)
			return kerr(err, errlen, "%s: is a symbolic link: name "
				    "the key file itself", path);
		if (fd < 0)
			return kerr(err, errlen, "%s: %s", path, strerror(errno));
		if (fstat(fd, &st)) {
			rc = kerr(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		rc = check_file(path, &st, max, err, errlen);
		if (rc)
			goto out;
	}
	/* one byte more than a key may have shows that it is too long */
	n = read_all(fd, buf, max + KEYFILE_EOL + 1);
	if (n < 0) {
		rc = kerr(err, errlen, "%s: %s", shown_path(path), strerror(errno));
		goto out;
	}
	*len = (size_t)n;
	while (*len && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
		(*len)--;
	if ((size_t)n > max + KEYFILE_EOL || *len > max)
		rc = kerr(err, errlen, "%s: more than %zu bytes: a key is at most "
			  "%zu bytes (and a final newline); refusing rather than "
			  "cutting it", shown_path(path), max, max);
out:
	if (!is_stdin)
		close(fd);
	return rc;
}

int keyfile_load(const char *path, uint8_t *key, size_t min, size_t max,
		 size_t *len, char *err, size_t errlen)
{
	uint8_t buf[KEYFILE_MAX + KEYFILE_EOL + 1];
	size_t n = 0;
	int rc = -1;

	*len = 0;
	if (!path || !*path)
		return kerr(err, errlen, "no key file named");
	if (max > KEYFILE_MAX || min > max)
		return kerr(err, errlen, "%s: internal error: key size %zu-%zu",
			    path, min, max);
	if (read_key(path, buf, max, &n, err, errlen))
		goto out;
	if (!n) {
		kerr(err, errlen, "%s: empty: expected a key of %zu to %zu bytes",
		     shown_path(path), min, max);
		goto out;
	}
	if (n < min) {
		kerr(err, errlen, "%s: %zu bytes: a key is at least %zu bytes",
		     shown_path(path), n, min);
		goto out;
	}
	memcpy(key, buf, n);
	*len = n;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}


static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

int keyfile_parse_hex(const char *path, const uint8_t *text, size_t n,
		      uint8_t *key, size_t min, size_t max, size_t *len,
		      char *err, size_t errlen)
{
	size_t b = 0, i;

	*len = 0;
	while (b < n && is_space(text[b]))
		b++;
	while (n > b && is_space(text[n - 1]))
		n--;
	if ((n - b) % 2)
		return kerr(err, errlen, "%s: an odd number of hex digits (%zu)",
			    shown_path(path), n - b);
	if ((n - b) / 2 < min || (n - b) / 2 > max)
		return kerr(err, errlen, "%s: %zu hex digits: expected a key of "
			    "%zu to %zu octets (%zu to %zu hex digits)",
			    shown_path(path), n - b, min, max, 2 * min, 2 * max);
	for (i = 0; b + 2 * i < n; i++) {
		int hi = OPENSSL_hexchar2int(text[b + 2 * i]);
		int lo = OPENSSL_hexchar2int(text[b + 2 * i + 1]);

		if (hi < 0 || lo < 0) {
			OPENSSL_cleanse(key, i);
			return kerr(err, errlen, "%s: the character at offset %zu "
				    "is not a hex digit", shown_path(path),
				    b + 2 * i + (hi < 0 ? 0 : 1));
		}
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = i;
	return 0;
}

int keyfile_load_hex(const char *path, uint8_t *key, size_t min, size_t max,
		     size_t *len, char *err, size_t errlen)
{
	uint8_t text[KEYFILE_MAX];
	size_t n;
	int rc;

	*len = 0;
	if (max > KEYFILE_MAX / 2 || min > max)
		return kerr(err, errlen, "%s: internal error: key size %zu-%zu",
			    path ? path : "?", min, max);
	/* room for the digits and some whitespace around them */
	if (keyfile_load(path, text, 1, sizeof(text), &n, err, errlen))
		return -1;
	rc = keyfile_parse_hex(path, text, n, key, min, max, len, err, errlen);
	OPENSSL_cleanse(text, sizeof(text));
	return rc;
}
