// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * POSIX permissions for AUTH_SYS callers that are not root (flag perm).
 *
 * Each case makes its own directory in the export as root (the suite's
 * uid 0 client on the No_Root_Squash export), gives what it puts there
 * owners and modes by SETATTR, then acts as the users below, each an
 * AUTH_SYS client of its own, and checks the status of every operation
 * and, where a mode, owner or group is involved, the result by GETATTR.
 * FSAL_VFS is the reference: it acts with the caller's fsuid, so the
 * Linux kernel decides what Ganesha's core leaves to the FSAL.  The
 * steps are shared: the case's directory and root's part in it are
 * dc_scratch_*(), the users dc_ctx_mounted_user(), the checks of mode,
 * owner, group and entries dc_check_*() (case.h), the operations the
 * client's dc_fs_*() (fsops.h).
 *
 *   PERM1  search (x) on a directory for LOOKUP; read (r) for READDIR
 *   PERM2  write and search on the directory to CREATE (dir, symlink,
 *          fifo) and OPEN(create); the creator owns what it makes
 *   PERM3  write and search on the target directory to LINK
 *   PERM4  write and search on the directory to REMOVE a file or an
 *          empty directory, even one the caller owns
 *   PERM5  RENAME needs write and search on both directories
 *   PERM6  sticky directory: only the entry's owner, the directory's
 *          owner or root removes or renames an entry, or renames over it
 *   PERM7  moving a directory to another parent needs write on it
 *   PERM8  SETATTR mode: owner or root only (write permission is not
 *          enough)
 *   PERM9  SETATTR owner: root only; group: the owner, to a group it is
 *          in (primary or supplementary)
 *   PERM10 SETATTR times: "now" needs write permission, explicit times
 *          need ownership
 *   PERM11 WRITE by a non-root caller clears S_ISUID, and S_ISGID with
 *          S_IXGRP; root's WRITE keeps them
 *   PERM12 SETATTR size by a non-root caller needs write permission;
 *          the set-ID bits are cleared or kept (POSIX allows both)
 *   PERM13 chown/chgrp clear the set-ID bits of files; chmod S_ISGID by
 *          an owner outside the file's group is cleared silently
 *   PERM14 S_ISGID directory: new entries get its group, subdirectories
 *          its S_ISGID bit too
 *   PERM15 OPEN for read needs r, for write needs w, by owner, group
 *          (supplementary too) and other class, each class alone
 *   PERM16 ACCESS answers exactly what the mode allows the caller
 *   PERM17 root squash: uid 0 is "other" on the -squash export; without
 *          squashing root passes every check
 */
#include <stdio.h>
#include <string.h>
#include "case.h"
#include "fsops.h"

/* The users (uid = primary gid) and groups the cases act with. */
#define UA 4001u
#define UB 4002u
#define UC 4003u /* supplementary group GS */
#define GS 4500u
#define GX 4600u /* a group none of them is in */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define S_ALL (OPEN4_SHARE_ACCESS_BOTH)
#define S_RD (OPEN4_SHARE_ACCESS_READ)
#define S_WR (OPEN4_SHARE_ACCESS_WRITE)

/* Supplementary groups of a user in GS. */
static const uint32_t in_gs[] = { GS };

/* ---- PERM1: search and read on directories -------------------------- */

static void perm1_search(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, c = { 0 };
	nfs_fh4 d = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &c, UC, UC, 1, in_gs))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", 0, 0, 0777, &d) ||
	    !dc_scratch_make(ctx, &fx, &d, NF4REG, "f", 0, 0, 0644, NULL) ||
	    !dc_scratch_make(ctx, &fx, &d, NF4DIR, "sub", 0, 0, 0755, NULL))
		goto out;

	/* rw- for other: no search */
	if (!dc_scratch_chmod(ctx, &fx, &d, 0776))
		goto out;
	rc = dc_fs_lookup(&a, &d, "f", NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS, "uid %u: LOOKUP f in 0776 dir", UA);
	rc = dc_fs_lookup(&a, &d, "sub", NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS, "uid %u: LOOKUP sub in 0776 dir", UA);
	rc = dc_fs_lookup(&a, &d, "nonexistent", NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u: LOOKUP of a missing name in 0776 dir", UA);

	/* --x for other: search without read */
	if (!dc_scratch_chmod(ctx, &fx, &d, 0771))
		goto out;
	rc = dc_fs_lookup(&a, &d, "f", NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: LOOKUP f in 0771 dir", UA);
	rc = dc_fs_readdir(&a, &d, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS, "uid %u: READDIR of 0771 dir", UA);
	if (!dc_scratch_chmod(ctx, &fx, &d, 0775))
		goto out;
	rc = dc_fs_readdir(&a, &d, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: READDIR of 0775 dir", UA);

	/* Group class by a supplementary group; it alone counts. */
	if (!dc_scratch_chown(ctx, &fx, &d, 0, GS) ||
	    !dc_scratch_chmod(ctx, &fx, &d, 0750))
		goto out;
	rc = dc_fs_lookup(&c, &d, "f", NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u (group %u): LOOKUP f in 0750 dir of group %u", UC, GS,
		  GS);
	rc = dc_fs_lookup(&a, &d, "f", NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u: LOOKUP f in 0750 dir of group %u", UA, GS);
	if (!dc_scratch_chmod(ctx, &fx, &d, 0705))
		goto out;
	rc = dc_fs_lookup(&c, &d, "f", NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u (group %u): LOOKUP f in 0705 dir of group %u", UC, GS,
		  GS);
	rc = dc_fs_lookup(&a, &d, "f", NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: LOOKUP f in 0705 dir", UA);

	/* Owner class alone too: the owner without x in 0077. */
	if (!dc_scratch_chown(ctx, &fx, &d, UA, UA) ||
	    !dc_scratch_chmod(ctx, &fx, &d, 077))
		goto out;
	rc = dc_fs_lookup(&a, &d, "f", NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u: LOOKUP f in its own 0077 dir", UA);
out:
	dc_fh_free(&d);
	dc_client_destroy(&c);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM2: creating needs write and search ------------------------- */

static const char *const create_what[] = { "CREATE dir", "CREATE symlink",
					   "CREATE fifo", "OPEN(create)" };

/* As cl, make entry kind k named name in dir. */
static int create_kind(struct dc_client *cl, const nfs_fh4 *dir, unsigned int k,
		       const char *name, nfsstat4 *st)
{
	switch (k) {
	case 0:
		return dc_fs_mkdir(cl, dir, name, 0755, NULL, st);
	case 1:
		return dc_fs_create(cl, dir, NF4LNK, name, "target", NULL, NULL,
				    st);
	case 2:
		return dc_fs_create(cl, dir, NF4FIFO, name, NULL, NULL, NULL,
				    st);
	default:
		return dc_fs_mkfile(cl, dir, name, 0644, st);
	}
}

static void perm2_create(struct dc_ctx *ctx)
{
	static const uint32_t denied[] = { 0755, 0776, 0775 };
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, c = { 0 };
	nfs_fh4 d = { 0 }, o = { 0 };
	struct dc_gattr ga;
	char name[32];
	unsigned int i, k;
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &c, UC, UC, 1, in_gs))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", 0, 0, 0755, &d) ||
	    !dc_scratch_make(ctx, &fx, &d, NF4REG, "x", 0, 0, 0666, NULL))
		goto out;
	for (i = 0; i < ARRAY_SIZE(denied); i++) {
		if (!dc_scratch_chmod(ctx, &fx, &d, denied[i]))
			goto out;
		/* OPEN(create) of an existing name creates nothing. */
		rc = dc_fs_open(&a, &d, "x", true, S_ALL, NULL, NULL, NULL,
				&st);
		EXPECT_OP(rc, st, denied[i] & 1 ? NFS4_OK : NFS4ERR_ACCESS,
			  "uid %u: OPEN(create, UNCHECKED4) of an existing 0666 file in root's 0%o dir",
			  UA, denied[i]);
		for (k = 0; k < 4; k++) {
			snprintf(name, sizeof(name), "n%u", k);
			rc = create_kind(&a, &d, k, name, &st);
			EXPECT_OP(rc, st, NFS4ERR_ACCESS,
				  "uid %u: %s in root's 0%o dir", UA,
				  create_what[k], denied[i]);
			if (!dc_check_entry(ctx, &fx.root, &d, name, false,
					    create_what[k]))
				goto out;
		}
	}
	/* -wx is enough; the new entries are the caller's. */
	if (!dc_scratch_chmod(ctx, &fx, &d, 0773))
		goto out;
	for (k = 0; k < 4; k++) {
		snprintf(name, sizeof(name), "n%u", k);
		rc = create_kind(&a, &d, k, name, &st);
		EXPECT_OP(rc, st, NFS4_OK, "uid %u: %s in root's 0773 dir", UA,
			  create_what[k]);
		rc = dc_fs_lookup(&fx.root, &d, name, &o, &st);
		EXPECT_OP(rc, st, NFS4_OK, "LOOKUP %s", name);
		/* Symlink and fifo modes are the server's: owner only. */
		if (!dc_check_getattr(ctx, &fx.root, &o, &ga, create_what[k]))
			goto out;
		EXPECT(ga.uid == UA && ga.gid == UA,
		       "%s by uid %u: owned by %s:%s", create_what[k], UA,
		       ga.owner, ga.group);
		EXPECT(k == 1 || k == 2 ||
			       (ga.mode & 07777) == (k == 0 ? 0755 : 0644),
		       "%s by uid %u: mode 0%o", create_what[k], UA,
		       ga.mode & 07777);
		dc_fh_free(&o);
	}
	/* Group class through a supplementary group. */
	if (!dc_scratch_chown(ctx, &fx, &d, 0, GS) ||
	    !dc_scratch_chmod(ctx, &fx, &d, 0770))
		goto out;
	rc = dc_fs_mkfile(&c, &d, "g", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u (group %u): OPEN(create) in 0770 dir of group %u", UC,
		  GS, GS);
	rc = dc_fs_mkfile(&a, &d, "h", 0644, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u: OPEN(create) in 0770 dir of group %u", UA, GS);
out:
	dc_fh_free(&o);
	dc_fh_free(&d);
	dc_client_destroy(&c);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM3: LINK ----------------------------------------------------- */

static void perm3_link(struct dc_ctx *ctx)
{
	static const uint32_t denied[] = { 0755, 0776 };
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 };
	struct dc_gattr ga;
	nfs_fh4 d = { 0 }, f = { 0 };
	unsigned int i;
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", 0, 0, 0755, &d))
		goto out;
	/* The caller's own file, in a directory it may write. */
	rc = dc_fs_mkfile(&a, &fx.dir, "f", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) f", UA);
	rc = dc_fs_lookup(&a, &fx.dir, "f", &f, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: LOOKUP f", UA);
	for (i = 0; i < ARRAY_SIZE(denied); i++) {
		if (!dc_scratch_chmod(ctx, &fx, &d, denied[i]))
			goto out;
		rc = dc_fs_link(&a, &f, &d, "l", &st);
		EXPECT_OP(rc, st, NFS4ERR_ACCESS,
			  "uid %u: LINK its file into root's 0%o dir", UA,
			  denied[i]);
		if (!dc_check_entry(ctx, &fx.root, &d, "l", false,
				    "refused LINK"))
			goto out;
	}
	if (!dc_scratch_chmod(ctx, &fx, &d, 0773))
		goto out;
	rc = dc_fs_link(&a, &f, &d, "l", &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: LINK into root's 0773 dir", UA);
	if (!dc_check_getattr(ctx, &fx.root, &f, &ga, "f"))
		goto out;
	EXPECT((ga.have & DC_GA_NUMLINKS) && ga.numlinks == 2,
	       "f has %u links after LINK, expected 2", ga.numlinks);
out:
	dc_fh_free(&f);
	dc_fh_free(&d);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM4: REMOVE --------------------------------------------------- */

static void perm4_remove(struct dc_ctx *ctx)
{
	static const uint32_t denied[] = { 0755, 0776 };
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 };
	nfs_fh4 d = { 0 };
	unsigned int i;
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", 0, 0, 0777, &d))
		goto out;
	/* The caller's own file (writable by it) and empty directory. */
	rc = dc_fs_mkfile(&a, &d, "f", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) f", UA);
	rc = dc_fs_mkdir(&a, &d, "e", 0755, NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: CREATE dir e", UA);
	for (i = 0; i < ARRAY_SIZE(denied); i++) {
		if (!dc_scratch_chmod(ctx, &fx, &d, denied[i]))
			goto out;
		rc = dc_fs_remove(&a, &d, "f", &st);
		EXPECT_OP(rc, st, NFS4ERR_ACCESS,
			  "uid %u: REMOVE its own file in root's 0%o dir", UA,
			  denied[i]);
		rc = dc_fs_remove(&a, &d, "e", &st);
		EXPECT_OP(rc, st, NFS4ERR_ACCESS,
			  "uid %u: REMOVE its own dir in root's 0%o dir", UA,
			  denied[i]);
		if (!dc_check_entry(ctx, &fx.root, &d, "f", true,
				    "refused REMOVE") ||
		    !dc_check_entry(ctx, &fx.root, &d, "e", true,
				    "refused REMOVE"))
			goto out;
	}
	if (!dc_scratch_chmod(ctx, &fx, &d, 0773))
		goto out;
	rc = dc_fs_remove(&a, &d, "f", &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: REMOVE file in root's 0773 dir",
		  UA);
	rc = dc_fs_remove(&a, &d, "e", &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: REMOVE dir in root's 0773 dir", UA);
	if (!dc_check_entry(ctx, &fx.root, &d, "f", false, "REMOVE") ||
	    !dc_check_entry(ctx, &fx.root, &d, "e", false, "REMOVE"))
		goto out;
out:
	dc_fh_free(&d);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM5: RENAME --------------------------------------------------- */

static void perm5_rename(struct dc_ctx *ctx)
{
	/* source dir mode, target dir mode: all refused */
	static const uint32_t denied[][2] = {
		{ 0777, 0755 }, { 0755, 0777 }, { 0776, 0777 }, { 0777, 0776 }
	};
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 };
	nfs_fh4 s = { 0 }, t = { 0 };
	unsigned int i;
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "s", 0, 0, 0777, &s) ||
	    !dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "t", 0, 0, 0777, &t))
		goto out;
	rc = dc_fs_mkfile(&a, &s, "f", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) f", UA);
	for (i = 0; i < ARRAY_SIZE(denied); i++) {
		if (!dc_scratch_chmod(ctx, &fx, &s, denied[i][0]) ||
		    !dc_scratch_chmod(ctx, &fx, &t, denied[i][1]))
			goto out;
		rc = dc_fs_rename(&a, &s, "f", &t, "g", &st);
		EXPECT_OP(
			rc, st, NFS4ERR_ACCESS,
			"uid %u: RENAME its file from root's 0%o dir to root's 0%o dir",
			UA, denied[i][0], denied[i][1]);
		if (!dc_check_entry(ctx, &fx.root, &s, "f", true,
				    "refused RENAME") ||
		    !dc_check_entry(ctx, &fx.root, &t, "g", false,
				    "refused RENAME"))
			goto out;
	}
	/* Within one directory the one directory's permission decides. */
	if (!dc_scratch_chmod(ctx, &fx, &s, 0755))
		goto out;
	rc = dc_fs_rename(&a, &s, "f", &s, "g", &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u: RENAME within root's 0755 dir", UA);
	if (!dc_scratch_chmod(ctx, &fx, &s, 0773) ||
	    !dc_scratch_chmod(ctx, &fx, &t, 0773))
		goto out;
	rc = dc_fs_rename(&a, &s, "f", &t, "g", &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: RENAME between root's 0773 dirs",
		  UA);
	if (!dc_check_entry(ctx, &fx.root, &s, "f", false, "RENAME") ||
	    !dc_check_entry(ctx, &fx.root, &t, "g", true, "RENAME"))
		goto out;
out:
	dc_fh_free(&t);
	dc_fh_free(&s);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM6: sticky directories --------------------------------------- */

static void perm6_sticky(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	nfs_fh4 d = { 0 }, e = { 0 }, fa = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &c, UC, UC, 0, NULL))
		goto out;
	/* d: root's 1777; A's file (writable by all), dir; B's file */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", 0, 0, 01777, &d))
		goto out;
	rc = dc_fs_mkfile(&a, &d, "fa", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) fa", UA);
	rc = dc_fs_lookup(&a, &d, "fa", &fa, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: LOOKUP fa", UA);
	rc = dc_fs_chmod(&a, &fa, 0666, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chmod 0666 fa", UA);
	rc = dc_fs_mkdir(&a, &d, "da", 0755, NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: CREATE dir da", UA);
	rc = dc_fs_mkfile(&b, &d, "fb", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) fb", UB);

	rc = dc_fs_remove(&b, &d, "fa", &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: REMOVE uid %u's file in a 1777 dir", UB, UA);
	rc = dc_fs_remove(&b, &d, "da", &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: REMOVE uid %u's dir in a 1777 dir", UB, UA);
	rc = dc_fs_rename(&b, &d, "fa", &d, "fa2", &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: RENAME uid %u's file in a 1777 dir", UB, UA);
	rc = dc_fs_rename(&b, &d, "fa", &fx.dir, "fa2", &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: RENAME uid %u's file out of a 1777 dir", UB, UA);
	rc = dc_fs_rename(&b, &d, "fb", &d, "fa", &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: RENAME its file over uid %u's in a 1777 dir", UB,
		  UA);
	if (!dc_check_entry(ctx, &fx.root, &d, "fa", true, "sticky") ||
	    !dc_check_entry(ctx, &fx.root, &d, "da", true, "sticky") ||
	    !dc_check_entry(ctx, &fx.root, &d, "fb", true, "sticky") ||
	    !dc_check_mode_owner(ctx, &fx.root, &fa, 0666, UA, UA,
				 "fa after B's tries"))
		goto out;

	/* The entry's owner may. */
	rc = dc_fs_rename(&a, &d, "fa", &d, "fa2", &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: RENAME its file in a 1777 dir", UA);
	rc = dc_fs_remove(&a, &d, "fa2", &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: REMOVE its file in a 1777 dir", UA);
	rc = dc_fs_remove(&a, &d, "da", &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: REMOVE its dir in a 1777 dir", UA);
	/* Root may. */
	rc = dc_fs_remove(&fx.root, &d, "fb", &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: REMOVE uid %u's file in its 1777 dir",
		  UB);
	if (!dc_check_entry(ctx, &fx.root, &d, "fa2", false, "sticky") ||
	    !dc_check_entry(ctx, &fx.root, &d, "da", false, "sticky") ||
	    !dc_check_entry(ctx, &fx.root, &d, "fb", false, "sticky"))
		goto out;

	/* The directory's owner may: e is C's 1777 directory. */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "e", UC, UC, 01777, &e))
		goto out;
	rc = dc_fs_mkfile(&a, &e, "fa", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) fa in e", UA);
	rc = dc_fs_mkfile(&a, &e, "fa2", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) fa2 in e", UA);
	rc = dc_fs_remove(&b, &e, "fa", &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: REMOVE uid %u's file in uid %u's 1777 dir", UB, UA,
		  UC);
	rc = dc_fs_remove(&c, &e, "fa", &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: REMOVE uid %u's file in its own 1777 dir", UC, UA);
	rc = dc_fs_rename(&c, &e, "fa2", &e, "fc", &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: RENAME uid %u's file in its own 1777 dir", UC, UA);
	if (!dc_check_entry(ctx, &fx.root, &e, "fa", false,
			    "sticky, dir owner") ||
	    !dc_check_entry(ctx, &fx.root, &e, "fc", true, "sticky, dir owner"))
		goto out;
out:
	dc_fh_free(&fa);
	dc_fh_free(&e);
	dc_fh_free(&d);
	dc_client_destroy(&c);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM7: a directory moved to another parent ---------------------- */

static void perm7_move_dir(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, b = { 0 };
	nfs_fh4 p1 = { 0 }, p2 = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 0, NULL))
		goto out;
	/* A's parents, open to all; B's directory and file in p1 */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "p1", UA, UA, 0777,
			     &p1) ||
	    !dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "p2", UA, UA, 0777,
			     &p2))
		goto out;
	rc = dc_fs_mkdir(&b, &p1, "m", 0755, NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: CREATE dir m (0755)", UB);
	rc = dc_fs_mkfile(&b, &p1, "f", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) f (0644)", UB);

	rc = dc_fs_rename(&a, &p1, "m", &p2, "m", &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u: RENAME uid %u's 0755 dir to another parent", UA, UB);
	if (!dc_check_entry(ctx, &fx.root, &p1, "m", true, "refused move") ||
	    !dc_check_entry(ctx, &fx.root, &p2, "m", false, "refused move"))
		goto out;
	/* Its ".." stays: within the parent it is allowed. */
	rc = dc_fs_rename(&a, &p1, "m", &p1, "m2", &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: RENAME uid %u's dir within one parent", UA, UB);
	/* A file has no "..". */
	rc = dc_fs_rename(&a, &p1, "f", &p2, "f", &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: RENAME uid %u's file to another parent", UA, UB);
	/* The directory's owner may move it. */
	rc = dc_fs_rename(&b, &p1, "m2", &p2, "m", &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: RENAME its own dir to another parent", UB);
	if (!dc_check_entry(ctx, &fx.root, &p1, "m2", false, "move") ||
	    !dc_check_entry(ctx, &fx.root, &p2, "m", true, "move") ||
	    !dc_check_entry(ctx, &fx.root, &p2, "f", true, "move"))
		goto out;
out:
	dc_fh_free(&p2);
	dc_fh_free(&p1);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM8: SETATTR mode --------------------------------------------- */

static void perm8_chmod(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	nfs_fh4 f = { 0 }, d = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &c, UC, UC, 1, in_gs))
		goto out;
	/* Writable by everyone, and in C's group: still not theirs. */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "f", UA, GS, 0666,
			     &f) ||
	    !dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", UA, GS, 0777, &d))
		goto out;
	rc = dc_fs_chmod(&b, &f, 0777, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM, "uid %u: chmod uid %u's 0666 file", UB,
		  UA);
	rc = dc_fs_chmod(&c, &f, 0777, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u (group %u): chmod a 0666 file of group %u", UC, GS,
		  GS);
	rc = dc_fs_chmod(&b, &d, 0700, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM, "uid %u: chmod uid %u's 0777 dir", UB,
		  UA);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0666, UA, GS,
				 "file after refused chmod") ||
	    !dc_check_mode_owner(ctx, &fx.root, &d, 0777, UA, GS,
				 "dir after refused chmod"))
		goto out;
	rc = dc_fs_chmod(&a, &f, 0640, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chmod 0640 its own file", UA);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0640, UA, GS,
				 "file after owner's chmod"))
		goto out;
	rc = dc_fs_chmod(&a, &d, 0700, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chmod 0700 its own dir", UA);
	if (!dc_check_mode_owner(ctx, &fx.root, &d, 0700, UA, GS,
				 "dir after owner's chmod"))
		goto out;
	rc = dc_fs_chmod(&fx.root, &f, 0604, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: chmod 0604 uid %u's file", UA);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0604, UA, GS,
				 "file after root's chmod"))
		goto out;
out:
	dc_fh_free(&d);
	dc_fh_free(&f);
	dc_client_destroy(&c);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM9: SETATTR owner and group ---------------------------------- */

static void perm9_chown(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_sattr sa = { 0 };
	nfs_fh4 f = { 0 };
	nfsstat4 st;
	int rc;

	/* A is in GS (supplementary), so is B. */
	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 1, in_gs) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 1, in_gs))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "f", UA, UA, 0644, &f))
		goto out;

	sa.set = DC_SA_OWNER;
	sa.uid = UB;
	rc = dc_fs_setattr(&a, &f, NULL, &sa, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM, "uid %u: give its file to uid %u", UA,
		  UB);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0644, UA, UA,
				 "after refused chown"))
		goto out;
	sa.uid = UA;
	rc = dc_fs_setattr(&a, &f, NULL, &sa, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: set its file's owner to itself",
		  UA);

	sa.set = DC_SA_GROUP;
	sa.gid = GS;
	rc = dc_fs_setattr(&a, &f, NULL, &sa, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: chgrp its file to supplementary group %u", UA, GS);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0644, UA, GS,
				 "after chgrp to GS"))
		goto out;
	sa.gid = UA;
	rc = dc_fs_setattr(&a, &f, NULL, &sa, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chgrp its file to primary group %u",
		  UA, UA);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0644, UA, UA,
				 "after chgrp to primary"))
		goto out;
	sa.gid = GX;
	rc = dc_fs_setattr(&a, &f, NULL, &sa, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: chgrp its file to group %u it is not in", UA, GX);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0644, UA, UA,
				 "after refused chgrp"))
		goto out;
	/* Not the owner: no chgrp even to a group of its own. */
	sa.gid = GS;
	rc = dc_fs_setattr(&b, &f, NULL, &sa, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: chgrp uid %u's file to its group %u", UB, UA, GS);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0644, UA, UA,
				 "after B's chgrp"))
		goto out;
	/* Root gives it away; then A is no longer its owner. */
	rc = dc_fs_chown(&fx.root, &f, UB, GX, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: chown %u:%u", UB, GX);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0644, UB, GX,
				 "after root's chown"))
		goto out;
	sa.gid = GS;
	rc = dc_fs_setattr(&a, &f, NULL, &sa, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: chgrp a file it no longer owns", UA);
out:
	dc_fh_free(&f);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM10: SETATTR times ------------------------------------------- */

#define T_PAST 1000000000 /* 2001-09-09 */
#define T_OWNER 1234567890

static void perm10_times(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, b = { 0 };
	struct dc_sattr now = { .set = DC_SA_MTIME, .mtime_server = true };
	struct dc_sattr now2 = { .set = DC_SA_ATIME | DC_SA_MTIME,
				 .atime_server = true,
				 .mtime_server = true };
	struct dc_sattr past = { .set = DC_SA_MTIME,
				 .mtime = { .seconds = T_PAST } };
	struct dc_sattr apast = { .set = DC_SA_ATIME,
				  .atime = { .seconds = T_PAST } };
	struct dc_sattr mine = { .set = DC_SA_MTIME,
				 .mtime = { .seconds = T_OWNER } };
	nfs_fh4 f = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 0, NULL))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "f", UA, UA, 0666, &f))
		goto out;
	rc = dc_fs_setattr(&fx.root, &f, NULL, &past, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: mtime to %d", T_PAST);
	if (!dc_check_mtime(ctx, &fx.root, &f, T_PAST, T_PAST,
			    "after root's mtime"))
		goto out;

	/* B may write the 0666 file: "now" is allowed, a chosen time not */
	rc = dc_fs_setattr(&b, &f, NULL, &now, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: mtime of uid %u's 0666 file to server time", UB, UA);
	if (!dc_check_mtime(ctx, &fx.root, &f, T_OWNER + 1, INT64_MAX,
			    "after B's server time"))
		goto out;
	rc = dc_fs_setattr(&b, &f, NULL, &now2, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: atime and mtime of a 0666 file to server time", UB);
	rc = dc_fs_setattr(&b, &f, NULL, &past, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: mtime of uid %u's 0666 file to a client time", UB,
		  UA);
	rc = dc_fs_setattr(&b, &f, NULL, &apast, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM,
		  "uid %u: atime of uid %u's 0666 file to a client time", UB,
		  UA);
	if (!dc_check_mtime(ctx, &fx.root, &f, T_OWNER + 1, INT64_MAX,
			    "after B's refused client time"))
		goto out;
	/* The owner sets what it likes. */
	rc = dc_fs_setattr(&a, &f, NULL, &mine, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: mtime of its file to %d", UA,
		  T_OWNER);
	if (!dc_check_mtime(ctx, &fx.root, &f, T_OWNER, T_OWNER,
			    "after owner's mtime"))
		goto out;
	/* Without write permission not even "now". */
	if (!dc_scratch_chmod(ctx, &fx, &f, 0644))
		goto out;
	rc = dc_fs_setattr(&b, &f, NULL, &now, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u: mtime of uid %u's 0644 file to server time", UB, UA);
	if (!dc_check_mtime(ctx, &fx.root, &f, T_OWNER, T_OWNER,
			    "after B's refused now"))
		goto out;
	rc = dc_fs_setattr(&a, &f, NULL, &now, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: mtime of its file to server time",
		  UA);
	rc = dc_fs_setattr(&fx.root, &f, NULL, &past, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: mtime of uid %u's file to %d", UA,
		  T_PAST);
	if (!dc_check_mtime(ctx, &fx.root, &f, T_PAST, T_PAST,
			    "after root's mtime"))
		goto out;
out:
	dc_fh_free(&f);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM11, PERM12: set-ID bits and writes -------------------------- */

static void perm11_write_setid(struct dc_ctx *ctx)
{
	/* mode before, after a non-root caller's WRITE */
	static const uint32_t by_other[][2] = {
		{ 06777, 0777 },
		{ 04777, 0777 },
		{ 02777, 0777 },
		{ 06757, 0757 },
	};
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	nfs_fh4 f = { 0 };
	char name[32], who[64];
	struct dc_gattr ga;
	unsigned int i;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &c, UC, UC, 1, in_gs))
		goto out;
	for (i = 0; i < ARRAY_SIZE(by_other); i++) {
		snprintf(name, sizeof(name), "f%u", i);
		snprintf(who, sizeof(who), "uid %u on a 0%o file of uid %u", UB,
			 by_other[i][0], UA);
		if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, name, UA, UA,
				     by_other[i][0], &f) ||
		    !dc_check_write(ctx, &b, &fx.dir, name, who) ||
		    !dc_check_mode_owner(ctx, &fx.root, &f, by_other[i][1], UA,
					 UA, who))
			goto out;
		dc_fh_free(&f);
	}
	/* The owner's own WRITE clears them as well. */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "o", UA, UA, 06777,
			     &f) ||
	    !dc_check_write(ctx, &a, &fx.dir, "o", "owner") ||
	    !dc_check_mode_owner(ctx, &fx.root, &f, 0777, UA, UA,
				 "06777 file after owner's WRITE"))
		goto out;
	dc_fh_free(&f);
	/*
	 * S_ISGID without S_IXGRP (a locking mark, not set-group-ID) stays
	 * when a member of the file's group writes.
	 */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "g", UA, GS, 02767,
			     &f) ||
	    !dc_check_write(ctx, &c, &fx.dir, "g", "group member") ||
	    !dc_check_mode_owner(ctx, &fx.root, &f, 02767, UA, GS,
				 "02767 file after a group member's WRITE"))
		goto out;
	/*
	 * Written by one outside the group, Linux since 6.2 clears it
	 * (setattr_should_drop_sgid), older kernels keep it; POSIX allows
	 * both.  Either is accepted; the note says which.
	 */
	if (!dc_check_write(ctx, &b, &fx.dir, "g", "non-member") ||
	    !dc_check_getattr(ctx, &fx.root, &f, &ga, "g"))
		goto out;
	EXPECT((ga.mode & 07777) == 02767 || (ga.mode & 07777) == 0767,
	       "02767 file after a non-member's WRITE: 0%o", ga.mode & 07777);
	dc_note(ctx, "02767 written by a non-member of its group: 0%o",
		ga.mode & 07777);
	dc_fh_free(&f);
	/* Root's WRITE keeps them. */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "r", UA, UA, 06777,
			     &f) ||
	    !dc_check_write(ctx, &fx.root, &fx.dir, "r", "root") ||
	    !dc_check_mode_owner(ctx, &fx.root, &f, 06777, UA, UA,
				 "06777 file after root's WRITE"))
		goto out;
out:
	dc_fh_free(&f);
	dc_client_destroy(&c);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

static void perm12_truncate_setid(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client b = { 0 };
	struct dc_sattr sz = { .set = DC_SA_SIZE, .size = 0 };
	struct dc_gattr ga;
	nfs_fh4 f = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 0, NULL))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "f", UA, UA, 06777,
			     &f) ||
	    !dc_check_write(ctx, &fx.root, &fx.dir, "f", "root") ||
	    !dc_check_mode_owner(ctx, &fx.root, &f, 06777, UA, UA,
				 "after root's WRITE"))
		goto out;
	rc = dc_fs_setattr(&b, &f, NULL, &sz, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: SETATTR size 0 of uid %u's 06777 file", UB, UA);
	if (!dc_check_getattr(ctx, &fx.root, &f, &ga, "f"))
		goto out;
	EXPECT((ga.have & DC_GA_SIZE) && ga.size == 0,
	       "size %llu after truncation", (unsigned long long)ga.size);
	/*
	 * POSIX lets truncate() clear S_ISUID and S_ISGID ("may"), and
	 * Linux does for a caller without CAP_FSETID; FSAL_VFS truncates
	 * with Ganesha's own credentials and keeps them.  Either is
	 * accepted, nothing else; the note says which.
	 */
	EXPECT((ga.mode & 07777) == 0777 || (ga.mode & 07777) == 06777,
	       "06777 file after truncation by uid %u: 0%o", UB,
	       ga.mode & 07777);
	dc_note(ctx, "06777 file truncated by uid %u: 0%o", UB,
		ga.mode & 07777);
	/* Without write permission no truncation at all. */
	if (!dc_scratch_chmod(ctx, &fx, &f, 0644))
		goto out;
	sz.size = 0;
	rc = dc_fs_setattr(&b, &f, NULL, &sz, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "uid %u: SETATTR size of uid %u's 0644 file", UB, UA);
out:
	dc_fh_free(&f);
	dc_client_destroy(&b);
	dc_scratch_teardown(&fx);
}

/* ---- PERM13: chown, chgrp, chmod and the set-ID bits ----------------- */

static void perm13_chown_setid(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 };
	struct dc_sattr grp = { .set = DC_SA_GROUP, .gid = GS };
	nfs_fh4 f = { 0 }, g = { 0 }, h = { 0 }, d = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 1, in_gs))
		goto out;
	/* chgrp by the owner (in GS) */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "f", UA, UA, 06755,
			     &f) ||
	    !dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "g", UA, UA, 02745,
			     &g) ||
	    !dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", UA, UA, 02775, &d))
		goto out;
	rc = dc_fs_setattr(&a, &f, NULL, &grp, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chgrp %u its 06755 file", UA, GS);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0755, UA, GS,
				 "06755 file after chgrp"))
		goto out;
	/* S_ISGID without S_IXGRP is not set-group-ID: it stays. */
	rc = dc_fs_setattr(&a, &g, NULL, &grp, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chgrp %u its 02745 file", UA, GS);
	if (!dc_check_mode_owner(ctx, &fx.root, &g, 02745, UA, GS,
				 "02745 file after chgrp"))
		goto out;
	/* Directories keep S_ISGID. */
	rc = dc_fs_setattr(&a, &d, NULL, &grp, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chgrp %u its 02775 dir", UA, GS);
	if (!dc_check_mode_owner(ctx, &fx.root, &d, 02775, UA, GS,
				 "02775 dir after chgrp"))
		goto out;
	/* chown by root clears them too. */
	if (!dc_scratch_chmod(ctx, &fx, &f, 06755))
		goto out;
	rc = dc_fs_chown(&fx.root, &f, UB, UB, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: chown %u:%u a 06755 file", UB, UB);
	if (!dc_check_mode_owner(ctx, &fx.root, &f, 0755, UB, UB,
				 "06755 file after root's chown"))
		goto out;

	/* chmod g+s by the owner outside the file's group: dropped */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "h", UA, GX, 0755, &h))
		goto out;
	rc = dc_fs_chmod(&a, &h, 02755, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chmod 02755 its file of group %u",
		  UA, GX);
	if (!dc_check_mode_owner(ctx, &fx.root, &h, 0755, UA, GX,
				 "chmod 02755 by an owner outside the group"))
		goto out;
	rc = dc_fs_chmod(&a, &h, 04755, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: chmod 04755 its file", UA);
	if (!dc_check_mode_owner(ctx, &fx.root, &h, 04755, UA, GX,
				 "chmod 04755 by the owner"))
		goto out;
	/* In the group (supplementary) it stays; for root always. */
	if (!dc_scratch_chown(ctx, &fx, &h, UA, GS))
		goto out;
	rc = dc_fs_chmod(&a, &h, 02755, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "uid %u: chmod 02755 its file of its group %u", UA, GS);
	if (!dc_check_mode_owner(ctx, &fx.root, &h, 02755, UA, GS,
				 "chmod 02755 by an owner in the group"))
		goto out;
	if (!dc_scratch_chown(ctx, &fx, &h, UA, GX))
		goto out;
	rc = dc_fs_chmod(&fx.root, &h, 06755, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: chmod 06755 uid %u's file", UA);
	if (!dc_check_mode_owner(ctx, &fx.root, &h, 06755, UA, GX,
				 "chmod 06755 by root"))
		goto out;
out:
	dc_fh_free(&d);
	dc_fh_free(&h);
	dc_fh_free(&g);
	dc_fh_free(&f);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM14: S_ISGID directories ------------------------------------- */

static void perm14_setgid_dir(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 };
	struct dc_gattr ga;
	nfs_fh4 d = { 0 }, p = { 0 }, o = { 0 };
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", 0, GS, 02777,
			     &d) ||
	    !dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "p", 0, GS, 0777, &p))
		goto out;
	rc = dc_fs_mkfile(&a, &d, "f", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) f in a 02777 dir", UA);
	rc = dc_fs_lookup(&a, &d, "f", &o, &st);
	EXPECT_OP(rc, st, NFS4_OK, "LOOKUP f");
	if (!dc_check_mode_owner(
		    ctx, &fx.root, &o, 0644, UA, GS,
		    "file made by a non-member in a 02777 dir of group GS"))
		goto out;
	dc_fh_free(&o);
	rc = dc_fs_mkdir(&a, &d, "s", 0755, NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: CREATE dir s in a 02777 dir", UA);
	rc = dc_fs_lookup(&a, &d, "s", &o, &st);
	EXPECT_OP(rc, st, NFS4_OK, "LOOKUP s");
	if (!dc_check_mode_owner(
		    ctx, &fx.root, &o, 02755, UA, GS,
		    "dir made by a non-member in a 02777 dir of group GS"))
		goto out;
	dc_fh_free(&o);
	rc = dc_fs_create(&a, &d, NF4FIFO, "p", NULL, NULL, &o, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: CREATE fifo in a 02777 dir", UA);
	if (!dc_check_getattr(ctx, &fx.root, &o, &ga, "fifo"))
		goto out;
	EXPECT(ga.uid == UA && ga.gid == GS,
	       "fifo made in a 02777 dir of group %u: owned by %s:%s", GS,
	       ga.owner, ga.group);
	dc_fh_free(&o);
	/* Without S_ISGID the creator's group. */
	rc = dc_fs_mkfile(&a, &p, "f", 0644, &st);
	EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) f in a 0777 dir", UA);
	rc = dc_fs_lookup(&a, &p, "f", &o, &st);
	EXPECT_OP(rc, st, NFS4_OK, "LOOKUP f");
	if (!dc_check_mode_owner(ctx, &fx.root, &o, 0644, UA, UA,
				 "file made in a 0777 dir of group GS"))
		goto out;
out:
	dc_fh_free(&o);
	dc_fh_free(&p);
	dc_fh_free(&d);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM15: OPEN access --------------------------------------------- */

struct open_check {
	uint32_t mode; /* of a file uid UA, group GS */
	char who; /* 'a' owner, 'c' member of GS, 'b' other */
	uint32_t access;
	nfsstat4 want;
};

static void perm15_open(struct dc_ctx *ctx)
{
	static const struct open_check t[] = {
		{ 0640, 'a', S_RD, NFS4_OK },
		{ 0640, 'a', S_WR, NFS4_OK },
		{ 0640, 'a', S_ALL, NFS4_OK },
		{ 0640, 'c', S_RD, NFS4_OK },
		{ 0640, 'c', S_WR, NFS4ERR_ACCESS },
		{ 0640, 'c', S_ALL, NFS4ERR_ACCESS },
		{ 0640, 'b', S_RD, NFS4ERR_ACCESS },
		{ 0640, 'b', S_WR, NFS4ERR_ACCESS },
		/* each class alone: a member of the group is not "other" */
		{ 0604, 'c', S_RD, NFS4ERR_ACCESS },
		{ 0604, 'b', S_RD, NFS4_OK },
		{ 0604, 'b', S_WR, NFS4ERR_ACCESS },
		/* and the owner is neither group nor other */
		{ 0466, 'a', S_RD, NFS4_OK },
		{ 0466, 'a', S_WR, NFS4ERR_ACCESS },
		{ 0466, 'c', S_WR, NFS4_OK },
		{ 0262, 'a', S_WR, NFS4_OK },
		{ 0262, 'a', S_RD, NFS4ERR_ACCESS },
		{ 0262, 'c', S_ALL, NFS4_OK },
		{ 0262, 'b', S_RD, NFS4ERR_ACCESS },
		{ 0262, 'b', S_WR, NFS4_OK },
	};
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	struct dc_client *cl;
	nfs_fh4 f = { 0 };
	unsigned int i;
	uint32_t mode = 0;
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &c, UC, UC, 1, in_gs))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "f", UA, GS, 0600, &f))
		goto out;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (t[i].mode != mode) {
			mode = t[i].mode;
			if (!dc_scratch_chmod(ctx, &fx, &f, mode))
				goto out;
		}
		cl = t[i].who == 'a' ? &a : t[i].who == 'b' ? &b : &c;
		rc = dc_fs_open(cl, &fx.dir, "f", false, t[i].access, NULL,
				NULL, NULL, &st);
		EXPECT_OP(rc, st, t[i].want,
			  "uid %u%s: OPEN for %s a 0%o file of %u:%u",
			  cl->auth.uid, cl == &c ? " (group GS)" : "",
			  t[i].access == S_RD ? "read" :
			  t[i].access == S_WR ? "write" :
						"read+write",
			  mode, UA, GS);
	}
out:
	dc_fh_free(&f);
	dc_client_destroy(&c);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM16: ACCESS -------------------------------------------------- */

#define AC_FILE \
	(ACCESS4_READ | ACCESS4_MODIFY | ACCESS4_EXTEND | ACCESS4_EXECUTE)
#define AC_DIR                                                             \
	(ACCESS4_READ | ACCESS4_LOOKUP | ACCESS4_MODIFY | ACCESS4_EXTEND | \
	 ACCESS4_DELETE)
#define AC_R ACCESS4_READ
#define AC_W (ACCESS4_MODIFY | ACCESS4_EXTEND)
#define AC_X ACCESS4_EXECUTE
#define AC_L ACCESS4_LOOKUP
#define AC_D ACCESS4_DELETE

struct access_check {
	bool dir;
	uint32_t mode; /* of an object of uid UA, group GS */
	char who; /* 'a' owner, 'c' member of GS, 'b' other */
	uint32_t want; /* of AC_FILE or AC_DIR */
};

static void perm16_access(struct dc_ctx *ctx)
{
	static const struct access_check t[] = {
		{ false, 0640, 'a', AC_R | AC_W },
		{ false, 0640, 'c', AC_R },
		{ false, 0640, 'b', 0 },
		{ false, 0751, 'a', AC_R | AC_W | AC_X },
		{ false, 0751, 'c', AC_R | AC_X },
		{ false, 0751, 'b', AC_X },
		{ false, 0426, 'a', AC_R },
		{ false, 0426, 'c', AC_W },
		{ false, 0426, 'b', AC_R | AC_W },
		{ true, 0750, 'a', AC_R | AC_L | AC_W | AC_D },
		{ true, 0750, 'c', AC_R | AC_L },
		{ true, 0750, 'b', 0 },
		{ true, 0371, 'a', AC_L | AC_W | AC_D },
		{ true, 0371, 'c', AC_R | AC_L | AC_W | AC_D },
		{ true, 0371, 'b', AC_L },
	};
	struct dc_scratch fx = { 0 };
	struct dc_client a = { 0 }, b = { 0 }, c = { 0 };
	struct dc_client *cl;
	nfs_fh4 f = { 0 }, d = { 0 };
	const nfs_fh4 *o;
	uint32_t ask, sup, got, fmode = 0, dmode = 0;
	unsigned int i;
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx) ||
	    !dc_ctx_mounted_user(ctx, &a, UA, UA, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &b, UB, UB, 0, NULL) ||
	    !dc_ctx_mounted_user(ctx, &c, UC, UC, 1, in_gs))
		goto out;
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4REG, "f", UA, GS, 0600,
			     &f) ||
	    !dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", UA, GS, 0700, &d))
		goto out;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint32_t *cur = t[i].dir ? &dmode : &fmode;

		o = t[i].dir ? &d : &f;
		if (*cur != t[i].mode) {
			*cur = t[i].mode;
			if (!dc_scratch_chmod(ctx, &fx, o, *cur))
				goto out;
		}
		cl = t[i].who == 'a' ? &a : t[i].who == 'b' ? &b : &c;
		ask = t[i].dir ? AC_DIR : AC_FILE;
		rc = dc_fs_access(cl, o, ask, &sup, &got, &st);
		EXPECT_OP(rc, st, NFS4_OK, "uid %u: ACCESS", cl->auth.uid);
		EXPECT(sup == ask, "uid %u: ACCESS 0x%x of a %s supports 0x%x",
		       cl->auth.uid, ask, t[i].dir ? "dir" : "file", sup);
		EXPECT(got == t[i].want,
		       "uid %u%s: ACCESS of a 0%o %s of %u:%u: 0x%x, expected 0x%x",
		       cl->auth.uid, cl == &c ? " (group GS)" : "", t[i].mode,
		       t[i].dir ? "dir" : "file", UA, GS, got, t[i].want);
	}
out:
	dc_fh_free(&d);
	dc_fh_free(&f);
	dc_client_destroy(&c);
	dc_client_destroy(&b);
	dc_client_destroy(&a);
	dc_scratch_teardown(&fx);
}

/* ---- PERM17: root squash and unsquashed root ------------------------- */

/*
 * Squashed root (sq) against sd, its view of a 0755 directory holding a
 * 0644 file "f", both of uid owner: it is "other" there.  ver sees the
 * same directory as dv and checks that nothing changed.
 */
static bool squash_refusals(struct dc_ctx *ctx, struct dc_client *sq,
			    const nfs_fh4 *sd, struct dc_client *ver,
			    const nfs_fh4 *dv, uint32_t owner)
{
	nfsstat4 st;
	int rc;

	rc = dc_fs_remove(sq, sd, "f", &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "squashed root: REMOVE uid %u's file in its 0755 dir", owner);
	rc = dc_fs_mkfile(sq, sd, "g", 0644, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "squashed root: OPEN(create) in uid %u's 0755 dir", owner);
	rc = dc_fs_open(sq, sd, "f", false, S_WR, NULL, NULL, NULL, &st);
	EXPECT_OP(rc, st, NFS4ERR_ACCESS,
		  "squashed root: OPEN for write uid %u's 0644 file", owner);
	rc = dc_fs_chmod(sq, sd, 0777, &st);
	EXPECT_OP(rc, st, NFS4ERR_PERM, "squashed root: chmod uid %u's dir",
		  owner);
	return dc_check_entry(ctx, ver, dv, "f", true, "squashed REMOVE") &&
	       dc_check_entry(ctx, ver, dv, "g", false, "squashed create") &&
	       dc_check_mode_owner(ctx, ver, dv, 0755, owner, owner,
				   "dir after squashed chmod");
out:
	return false;
}

static void perm17_squash(struct dc_ctx *ctx)
{
	struct dc_scratch fx = { 0 };
	struct dc_client sq = { 0 }, ua = { 0 };
	struct dc_sattr sa = { .set = DC_SA_MODE, .mode = 0644 };
	struct dc_auth auth;
	nfs_fh4 top = { 0 }, sdir = { 0 }, sd = { 0 }, d = { 0 }, u = { 0 };
	nfs_fh4 utop = { 0 };
	char uname[96] = "";
	nfsstat4 st;
	int rc;

	if (!dc_scratch_setup(ctx, &fx))
		goto out;
	rc = dc_ctx_mounted_as(ctx, &sq, NULL, "-squash");
	EXPECT_RPC(rc, "mount the root-squash export as uid 0");
	rc = dc_fs_export_fh(&sq, &top, &st);
	EXPECT_RPC(rc, "LOOKUP of the -squash export");
	if (st == NFS4ERR_NOENT)
		SKIP("no root-squash export %s-squash", ctx->srv.export);
	EXPECT_STATUS(st, NFS4_OK, "LOOKUP of the -squash export");
	rc = dc_fs_lookup(&sq, &top, fx.name, &sdir, &st);
	EXPECT_RPC(rc, "squashed root: LOOKUP of the case's directory");
	if (st == NFS4_OK) {
		/* Both exports show one tree: root's 0755 dir and file. */
		if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "d", 0, 0, 0755,
				     &d) ||
		    !dc_scratch_make(ctx, &fx, &d, NF4REG, "f", 0, 0, 0644,
				     NULL))
			goto out;
		rc = dc_fs_lookup(&sq, &sdir, "d", &sd, &st);
		EXPECT_OP(rc, st, NFS4_OK, "squashed root: LOOKUP d");
		if (!squash_refusals(ctx, &sq, &sd, &fx.root, &d, 0))
			goto out;
	} else {
		/*
		 * The -squash export is a tree of its own (FSAL_DITTO: one
		 * store per export): uid UA, not squashed, makes the 0755
		 * dir and file there.
		 */
		EXPECT_STATUS(st, NFS4ERR_NOENT,
			      "squashed root: LOOKUP of the case's directory");
		dc_auth_sys(&auth, UA, UA);
		rc = dc_ctx_mounted_as(ctx, &ua, &auth, "-squash");
		EXPECT_RPC(rc, "mount the root-squash export as uid UA");
		rc = dc_fs_export_fh(&ua, &utop, &st);
		EXPECT_OP(rc, st, NFS4_OK,
			  "uid %u: LOOKUP of the -squash export", UA);
		dc_name(ctx, "sq", uname, sizeof(uname));
		rc = dc_fs_mkdir(&ua, &utop, uname, 0755, NULL, &st);
		EXPECT_RPC(rc, "uid UA: CREATE dir in the -squash export");
		if (st == NFS4ERR_ACCESS)
			SKIP("the -squash export's root lets uid %u make nothing",
			     UA);
		EXPECT_STATUS(st, NFS4_OK,
			      "uid UA: CREATE dir in the -squash export");
		rc = dc_fs_lookup(&ua, &utop, uname, &d, &st);
		EXPECT_OP(rc, st, NFS4_OK, "uid %u: LOOKUP its dir", UA);
		rc = dc_fs_mkfile(&ua, &d, "f", 0644, &st);
		EXPECT_OP(rc, st, NFS4_OK, "uid %u: OPEN(create) f", UA);
		rc = dc_fs_lookup(&sq, &top, uname, &sd, &st);
		EXPECT_OP(rc, st, NFS4_OK, "squashed root: LOOKUP uid %u's dir",
			  UA);
		dc_note(ctx,
			"the -squash export has a tree of its own: checked in uid %u's directory",
			UA);
		if (!squash_refusals(ctx, &sq, &sd, &ua, &d, UA))
			goto out;
	}

	/* Unsquashed, root passes every check: u is uid UA's 0000 dir. */
	if (!dc_scratch_make(ctx, &fx, &fx.dir, NF4DIR, "u", UA, UA, 0700,
			     &u) ||
	    !dc_scratch_make(ctx, &fx, &u, NF4REG, "f", UA, UA, 0, NULL) ||
	    !dc_scratch_chmod(ctx, &fx, &u, 0))
		goto out;
	rc = dc_fs_lookup(&fx.root, &u, "f", NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: LOOKUP in uid %u's 0000 dir", UA);
	rc = dc_fs_readdir(&fx.root, &u, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: READDIR of uid %u's 0000 dir", UA);
	rc = dc_fs_open(&fx.root, &u, "f", false, S_ALL, NULL, NULL, NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK,
		  "root: OPEN for read+write uid %u's 0000 file", UA);
	rc = dc_fs_open(&fx.root, &u, "g", true, S_ALL, &sa, NULL, NULL, &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: OPEN(create) in uid %u's 0000 dir",
		  UA);
	rc = dc_fs_rename(&fx.root, &u, "g", &fx.dir, "g", &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: RENAME out of uid %u's 0000 dir", UA);
	rc = dc_fs_remove(&fx.root, &u, "f", &st);
	EXPECT_OP(rc, st, NFS4_OK, "root: REMOVE in uid %u's 0000 dir", UA);
	if (!dc_check_entry(ctx, &fx.root, &u, "f", false, "root's REMOVE") ||
	    !dc_check_entry(ctx, &fx.root, &fx.dir, "g", true, "root's RENAME"))
		goto out;
out:
	if (uname[0] && utop.nfs_fh4_len)
		dc_fs_remove_tree(&ua, &utop, uname);
	dc_fh_free(&utop);
	dc_fh_free(&u);
	dc_fh_free(&d);
	dc_fh_free(&sd);
	dc_fh_free(&sdir);
	dc_fh_free(&top);
	dc_client_destroy(&ua);
	dc_client_destroy(&sq);
	dc_scratch_teardown(&fx);
}

const struct dc_case dc_cases_perm[] = {
	{ "PERM1", "search (x) for LOOKUP, read (r) for READDIR, by class",
	  "POSIX", "perm all", NULL, perm1_search },
	{ "PERM2",
	  "CREATE dir/symlink/fifo and OPEN(create) need w+x on the dir",
	  "POSIX; RFC 8881 18.4, 18.16", "perm all", NULL, perm2_create },
	{ "PERM3", "LINK needs w+x on the target dir", "POSIX; RFC 8881 18.9",
	  "perm all", NULL, perm3_link },
	{ "PERM4", "REMOVE of a file or dir needs w+x on the dir",
	  "POSIX; RFC 8881 18.25", "perm all", NULL, perm4_remove },
	{ "PERM5", "RENAME needs w+x on both directories",
	  "POSIX; RFC 8881 18.26", "perm all", NULL, perm5_rename },
	{ "PERM6",
	  "sticky dir: only entry owner, dir owner, root remove/rename",
	  "POSIX", "perm all", NULL, perm6_sticky },
	{ "PERM7", "moving a dir to another parent needs w on the dir", "POSIX",
	  "perm all", NULL, perm7_move_dir },
	{ "PERM8", "SETATTR mode: owner or root only (NFS4ERR_PERM)",
	  "POSIX; RFC 8881 18.30", "perm all", NULL, perm8_chmod },
	{ "PERM9", "SETATTR owner: root only; group: owner, to its groups",
	  "POSIX; RFC 8881 18.30", "perm all", NULL, perm9_chown },
	{ "PERM10", "SETATTR times: now needs w, explicit times ownership",
	  "POSIX; RFC 8881 18.30", "perm all", NULL, perm10_times },
	{ "PERM11", "WRITE by non-root clears S_ISUID, S_ISGID+S_IXGRP",
	  "POSIX", "perm all", NULL, perm11_write_setid },
	{ "PERM12",
	  "SETATTR size: w needed; set-ID bits cleared or kept, no other",
	  "POSIX", "perm all", NULL, perm12_truncate_setid },
	{ "PERM13",
	  "chown/chgrp clear set-ID bits; chmod g+s outside the group", "POSIX",
	  "perm all", NULL, perm13_chown_setid },
	{ "PERM14", "S_ISGID dir: its group and (dirs) its S_ISGID inherited",
	  "POSIX", "perm all", NULL, perm14_setgid_dir },
	{ "PERM15", "OPEN read needs r, write needs w, per class",
	  "POSIX; RFC 8881 18.16", "perm all", NULL, perm15_open },
	{ "PERM16", "ACCESS answers exactly what the mode allows",
	  "RFC 8881 18.1", "perm all", NULL, perm16_access },
	{ "PERM17", "root squash: uid 0 is other; unsquashed root passes all",
	  "POSIX", "perm all", NULL, perm17_squash },
	{ NULL }
};
