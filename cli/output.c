// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdlib.h>
#include "output.h"

#define MAX_DEPTH 16

static FILE *out;
static bool json;
static int depth;
static bool need_comma[MAX_DEPTH];

void out_init(FILE *f, bool as_json)
{
	out = f;
	json = as_json;
	depth = 0;
	need_comma[0] = false;
}

bool out_is_json(void)
{
	return json;
}

/*
 * Length of the valid UTF-8 sequence at @s, its code point in @cp; 0 when the
 * byte at @s starts none: a lone continuation byte, an overlong form, a
 * surrogate, past U+10FFFF, or cut short (the NUL fails as a continuation).
 */
static int utf8_seq(const unsigned char *s, unsigned int *cp)
{
	static const unsigned int min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int n = s[0] < 0x80 ? 1 : s[0] < 0xc0 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 :
		s[0] < 0xf8 ? 4 : 0;

	*cp = s[0] & (n > 1 ? 0xff >> (n + 1) : 0x7f);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (!n || *cp < min[n] || (*cp >= 0xd800 && *cp < 0xe000) || *cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * @str for a terminal, or the inside of a JSON string. Device names are any
 * bytes but '/', ':' and whitespace, so they may be no UTF-8 and may hold
 * control characters. Printable ASCII and printable UTF-8 pass; a byte that
 * is no UTF-8 becomes \xNN, and in text so does each byte of a C0, DEL or C1
 * control (JSON gets \u00NN for those: the JSON text stays terminal-safe).
 * The backslash is doubled so that \xNN never is the string's own text; in
 * JSON both are escaped once more: the decoded value reads as the text does,
 * controls aside.
 */
static void write_escaped(FILE *f, const char *str, bool json)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int cp;
	int n;

	for (; *s; s += n) {
		n = utf8_seq(s, &cp);
		if (*s == '\\') {
			fputs(json ? "\\\\\\\\" : "\\\\", f);
		} else if (n && (cp >= 0xa0 || (cp >= 0x20 && cp < 0x7f))) {
			if (json && *s == '"')
				fputc('\\', f);
			fwrite(s, 1, n, f);
		} else if (n && json) {
			fprintf(f, "\\u%04x", cp);
		} else {
			fprintf(f, json ? "\\\\x%02x" : "\\x%02x", *s);
			n = 1;
		}
	}
}

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	write_escaped(f, s, true);
	fputc('"', f);
}

void text_write_string(FILE *f, const char *s)
{
	write_escaped(f, s, false);
}

/* Comma and key before a JSON value. */
static void json_key(const char *key)
{
	if (need_comma[depth])
		fputc(',', out);
	need_comma[depth] = true;
	if (key) {
		json_write_string(out, key);
		fputc(':', out);
	}
}

static void json_open(const char *key, char c)
{
	json_key(key);
	fputc(c, out);
	if (depth < MAX_DEPTH - 1)
		depth++;
	need_comma[depth] = false;
}

void out_open_object(const char *key)
{
	if (json)
		json_open(key, '{');
}

void out_close_object(void)
{
	if (json) {
		fputc('}', out);
		depth--;
	}
}

void out_open_array(const char *key)
{
	if (json)
		json_open(key, '[');
}

void out_close_array(void)
{
	if (json) {
		fputc(']', out);
		depth--;
	}
}

void out_uint(const char *key, const char *fmt, unsigned long long v)
{
	if (json) {
		json_key(key);
		fprintf(out, "%llu", v);
	} else {
		fprintf(out, fmt, v);
	}
}

void out_int(const char *key, const char *fmt, long long v)
{
	if (json) {
		json_key(key);
		fprintf(out, "%lld", v);
	} else {
		fprintf(out, fmt, v);
	}
}

void out_string(const char *key, const char *fmt, const char *s)
{
	if (json) {
		json_key(key);
		json_write_string(out, s);
	} else {
		char *esc = NULL;
		size_t len;
		FILE *m = open_memstream(&esc, &len);

		if (m) {
			text_write_string(m, s);
			fclose(m);
		}
		fprintf(out, fmt, m ? esc : "?");
		free(esc);
	}
}

void out_null(const char *key, const char *text)
{
	if (json) {
		json_key(key);
		fputs("null", out);
	} else {
		fputs(text, out);
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

void out_finish(void)
{
	if (json)
		fputc('\n', out);
	fflush(out);
}

void out_bool(const char *key, const char *fmt, bool v)
{
	if (json) {
		json_key(key);
		fputs(v ? "true" : "false", out);
	} else {
		fprintf(out, fmt, v ? "on" : "off");
	}
}

void out_double(const char *key, const char *fmt, double v)
{
	if (json) {
		json_key(key);
		fprintf(out, "%.3f", v);
	} else {
		fprintf(out, fmt, v);
	}
}

/* Printable ASCII but for the escapes of both forms: the usual device name. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '\\' || *s == '"')
			return false;
	return true;
}

void metrics_label_value(FILE *f, const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m;

	fputc('"', f);
	if (plain(s)) {
		fputs(s, f);
	} else if ((m = open_memstream(&text, &len))) {
		/* Prometheus takes UTF-8 only: the text form, then its escapes. */
		text_write_string(m, s);
		if (!fclose(m))
			for (const char *p = text; *p; p++) {
				if (*p == '\\' || *p == '"')
					fputc('\\', f);
				fputc(*p, f);
			}
		free(text);
	}
	fputc('"', f);
}
