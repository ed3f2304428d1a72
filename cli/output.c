// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
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

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
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
		fprintf(out, fmt, s);
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
