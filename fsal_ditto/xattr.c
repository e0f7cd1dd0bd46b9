// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * FSAL_DITTO NFSv4.2 extended attributes (RFC 8276) over the store's
 * xattr list.  Names arrive without the "user." namespace prefix and are
 * stored as given.
 */
#include "config.h"

#include <errno.h>

#include "fsal.h"
#include "ditto_int.h"

/* XDR strings are not NUL-terminated; the store wants C strings. */
static fsal_status_t key_name(const xattrkey4 *key, char *buf)
{
	if (key->utf8string_len == 0)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	if (key->utf8string_len > DS_XATTR_NAME_MAX)
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	if (memchr(key->utf8string_val, '\0', key->utf8string_len))
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	memcpy(buf, key->utf8string_val, key->utf8string_len);
	buf[key->utf8string_len] = '\0';
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/*
 * Ganesha's protocol: utf8string_len is the buffer size on entry (0 asks
 * for the size), the value length on return; a short buffer is XATTR2BIG.
 */
static fsal_status_t ditto_getxattrs(struct fsal_obj_handle *obj,
				     xattrkey4 *xa_name, xattrvalue4 *xa_value)
{
	char name[DS_XATTR_NAME_MAX + 1];
	fsal_status_t st = key_name(xa_name, name);
	struct ds_cred cr;
	size_t len = 0;
	int rc;

	if (FSAL_IS_ERROR(st))
		return st;
	rc = ds_getxattr(ditto_h(obj)->ino, name, ditto_cred(&cr),
			 xa_value->utf8string_val, xa_value->utf8string_len,
			 &len);
	if (rc == -ERANGE)
		return fsalstat(ERR_FSAL_XATTR2BIG, ERANGE);
	if (rc)
		return ditto_err(rc);
	xa_value->utf8string_len = len;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t ditto_setxattrs(struct fsal_obj_handle *obj,
				     setxattr_option4 option,
				     xattrkey4 *xa_name, xattrvalue4 *xa_value)
{
	char name[DS_XATTR_NAME_MAX + 1];
	fsal_status_t st = key_name(xa_name, name);
	struct ds_cred cr;
	int flags;

	if (FSAL_IS_ERROR(st))
		return st;
	switch (option) {
	case SETXATTR4_EITHER:
		flags = 0;
		break;
	case SETXATTR4_CREATE:
		flags = DS_XATTR_CREATE;
		break;
	case SETXATTR4_REPLACE:
		flags = DS_XATTR_REPLACE;
		break;
	default:
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}
	return ditto_err(ds_setxattr(ditto_h(obj)->ino, name,
				     xa_value->utf8string_val,
				     xa_value->utf8string_len, flags,
				     ditto_cred(&cr)));
}

static fsal_status_t ditto_removexattrs(struct fsal_obj_handle *obj,
					xattrkey4 *xa_name)
{
	char name[DS_XATTR_NAME_MAX + 1];
	fsal_status_t st = key_name(xa_name, name);
	struct ds_cred cr;

	if (FSAL_IS_ERROR(st))
		return st;
	return ditto_err(ds_removexattr(ditto_h(obj)->ino, name,
					ditto_cred(&cr)));
}

struct list_ctx {
	xattrkey4 *ents;
	uint32_t count;
	uint32_t cap;
	size_t left;		/* bytes of la_maxcount still free */
};

static int list_one(const char *name, size_t len, void *arg)
{
	struct list_ctx *c = arg;
	/* XDR cost: length word plus padded bytes */
	size_t need = sizeof(uint32_t) + ((len + 3) & ~(size_t)3);

	if (need > c->left)
		return 1;
	if (c->count == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->ents = gsh_realloc(c->ents, c->cap * sizeof(*c->ents));
	}
	c->ents[c->count].utf8string_len = len;
	c->ents[c->count].utf8string_val = gsh_memdup(name, len + 1);
	c->count++;
	c->left -= need;
	return 0;
}

static fsal_status_t ditto_listxattrs(struct fsal_obj_handle *obj,
				      count4 la_maxcount,
				      nfs_cookie4 *la_cookie, bool_t *lr_eof,
				      xattrlist4 *lr_names)
{
	struct list_ctx c = { .left = la_maxcount };
	uint64_t cookie = *la_cookie;
	bool eof;
	uint32_t i;
	int rc;

	rc = ds_listxattr(ditto_h(obj)->ino, &cookie, list_one, &c, &eof);
	if (!rc && c.count == 0 && !eof)
		rc = -ERANGE;	/* not even one name fits */
	if (rc) {
		for (i = 0; i < c.count; i++)
			gsh_free(c.ents[i].utf8string_val);
		gsh_free(c.ents);
		if (rc == -ERANGE)
			return fsalstat(ERR_FSAL_TOOSMALL, 0);
		if (rc == -EINVAL)
			return fsalstat(ERR_FSAL_BADCOOKIE, 0);
		return ditto_err(rc);
	}
	lr_names->xl4_count = c.count;
	lr_names->xl4_entries = c.ents;
	*la_cookie = cookie;
	*lr_eof = eof;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

void ditto_xattr_ops_init(struct fsal_obj_ops *ops)
{
	ops->getxattrs = ditto_getxattrs;
	ops->setxattrs = ditto_setxattrs;
	ops->removexattrs = ditto_removexattrs;
	ops->listxattrs = ditto_listxattrs;
}
