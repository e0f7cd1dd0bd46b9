// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * Namespace mutations: create, link, unlink/rmdir, rename, readlink.
 * Locks are taken in the order documented in ditto_store.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

static void wrlock2(struct ds_inode *a, struct ds_inode *b)
{
	if (a && b && a != b && a->fileid > b->fileid) {
		struct ds_inode *t = a;

		a = b;
		b = t;
	}
	if (a)
		pthread_rwlock_wrlock(&a->lock);
	if (b && b != a)
		pthread_rwlock_wrlock(&b->lock);
}

static void unlock2(struct ds_inode *a, struct ds_inode *b)
{
	if (a)
		pthread_rwlock_unlock(&a->lock);
	if (b && b != a)
		pthread_rwlock_unlock(&b->lock);
}

static void snap(const struct ds_inode *dir, struct ds_attr *out)
{
	if (out)
		ds_fill_attr(dir, out);
}

/* Permission checks judge snapshots; the caller holds both locks. */
static int may_delete(const struct ds_inode *dir, const struct ds_inode *ino,
		      const struct ds_cred *cr)
{
	struct ds_attr d, v;

	if (ds_cred_is_root(cr))
		return 0;
	ds_fill_attr(dir, &d);
	ds_fill_attr(ino, &v);
	return ds_may_delete(&d, &v, cr);
}

/*
 * Records the loss of one of victim's names (its entry is recorded by
 * the caller): the inode goes if that was its last name and nobody has
 * it open (directories always go).  Caller holds victim's lock.
 */
static bool record_unlink(struct ds_changes *cs, struct ds_inode *victim)
{
	struct ds_irec *r;

	if (victim->type == DS_DIR ||
	    (victim->nlink <= 1 && victim->opens == 0)) {
		ds_changes_inode_del(cs, victim);
		return true;
	}
	r = ds_changes_inode(cs, victim);
	if (r->nlink > 0)
		r->nlink--;
	ds_irec_touch(r, false);
	return false;
}

/* After the commit: the victim recorded by record_unlink dies. */
static void kill_victim(struct ds_inode *victim)
{
	victim->nlink = 0;
	ds_inode_kill(victim);
}

int ds_create(struct ds_inode *dir, const char *name, const struct ds_new *nw,
	      const struct ds_cred *cr, struct ds_inode **out,
	      struct ds_attr *pre, struct ds_attr *post)
{
	struct ds_new eff = *nw;
	struct ds_inode *ino;
	struct ds_dentry *de;
	struct ds_changes cs;
	struct ds_irec *r;
	struct ds_attr da;
	int rc, err;

	if (dir->type != DS_DIR)
		return -ENOTDIR;
	rc = ds_name_check(name);
	if (rc)
		return rc;
	pthread_rwlock_wrlock(&dir->lock);
	rc = dir->dead ? -ENOENT : ds_store_failed(dir->store);
	if (rc)
		goto out;
	/* An existing name is EEXIST whoever asks (Linux may_create). */
	if (ds_dir_find(dir, name)) {
		rc = -EEXIST;
		goto out;
	}
	ds_fill_attr(dir, &da);
	rc = ds_may_add(&da, cr);
	if (rc)
		goto out;
	ds_create_inherit(&da, cr, &eff);
	snap(dir, pre);
	ino = ds_inode_alloc(dir->store, &eff, &rc);
	if (!ino)
		goto out;
	ino->nlink = nw->type == DS_DIR ? 2 : 1;
	if (nw->type == DS_DIR)
		ino->dir.parent = dir;
	de = ds_dir_prepare(dir, name, ino, &rc);
	if (!de)
		goto unalloc;
	/* Reachable by fileid already, so lock it (lock order: dir first). */
	pthread_rwlock_wrlock(&ino->lock);
	ds_changes_init(&cs, dir->store);
	ds_changes_inode(&cs, ino);
	ds_changes_dirent(&cs, dir, name, ino->fileid, de->cookie);
	r = ds_changes_inode(&cs, dir);
	if (nw->type == DS_DIR)
		r->nlink++;
	r->next_cookie = de->cookie + 1;
	ds_irec_touch(r, true);
	cs.next_fileid = true;
	rc = ds_changes_commit(&cs);
	if (rc) {
		pthread_rwlock_unlock(&ino->lock);
		ds_dir_discard(de);
		goto unalloc;
	}
	ds_dir_publish(dir, de);
	ds_changes_apply(&cs);
	pthread_rwlock_unlock(&ino->lock);
	snap(dir, post);
	*out = ino;
	goto out;
unalloc:
	pthread_rwlock_wrlock(&ino->lock);
	ino->nlink = 0;
	ds_inode_kill(ino);
	pthread_rwlock_unlock(&ino->lock);
	ds_put(ino);
out:
	pthread_rwlock_unlock(&dir->lock);
	err = ds_changes_durable(dir->store, rc);
	/* No reference goes with an error (the store latched). */
	if (!rc && err)
		ds_put(*out);
	return err;
}

int ds_link(struct ds_inode *ino, struct ds_inode *dir, const char *name,
	    const struct ds_cred *cr, struct ds_attr *pre, struct ds_attr *post)
{
	struct ds_attr da, ia;
	struct ds_changes cs;
	struct ds_dentry *de;
	struct ds_irec *r;
	int rc;

	if (dir->type != DS_DIR)
		return -ENOTDIR;
	if (ino->type == DS_DIR)
		return -EPERM;
	if (ino->store != dir->store)
		return -EXDEV;
	rc = ds_name_check(name);
	if (rc)
		return rc;
	pthread_rwlock_wrlock(&dir->lock);
	pthread_rwlock_wrlock(&ino->lock);
	if (dir->dead || ino->nlink == 0) {
		rc = -ENOENT;
		goto out;
	}
	/*
	 * Linux's order (do_linkat): EEXIST from the lookup of the new
	 * name, then hard-link protection, then the directory.
	 */
	if (ds_dir_find(dir, name)) {
		rc = -EEXIST;
		goto out;
	}
	ds_fill_attr(ino, &ia);
	rc = ds_may_link(&ia, cr);
	if (rc)
		goto out;
	ds_fill_attr(dir, &da);
	rc = ds_may_add(&da, cr);
	if (rc)
		goto out;
	if (ino->nlink == UINT32_MAX) {
		rc = -EMLINK;
		goto out;
	}
	rc = ds_store_failed(dir->store);
	if (rc)
		goto out;
	snap(dir, pre);
	de = ds_dir_prepare(dir, name, ino, &rc);
	if (!de)
		goto out;
	ds_changes_init(&cs, dir->store);
	ds_changes_dirent(&cs, dir, name, ino->fileid, de->cookie);
	r = ds_changes_inode(&cs, ino);
	r->nlink++;
	ds_irec_touch(r, false);
	r = ds_changes_inode(&cs, dir);
	r->next_cookie = de->cookie + 1;
	ds_irec_touch(r, true);
	rc = ds_changes_commit(&cs);
	if (rc) {
		ds_dir_discard(de);
		goto out;
	}
	ds_dir_publish(dir, de);
	ds_changes_apply(&cs);
	snap(dir, post);
out:
	pthread_rwlock_unlock(&ino->lock);
	pthread_rwlock_unlock(&dir->lock);
	return ds_changes_durable(dir->store, rc);
}

int ds_unlink(struct ds_inode *dir, const char *name, const struct ds_cred *cr,
	      struct ds_attr *pre, struct ds_attr *post)
{
	struct ds_dentry *de;
	struct ds_inode *victim;
	struct ds_changes cs;
	struct ds_irec *r;
	bool dies;
	int rc = 0;

	if (dir->type != DS_DIR)
		return -ENOTDIR;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	if (strnlen(name, DS_NAME_MAX + 1) > DS_NAME_MAX)
		return -ENAMETOOLONG;
	pthread_rwlock_wrlock(&dir->lock);
	de = dir->dead ? NULL : ds_dir_find(dir, name);
	if (!de) {
		pthread_rwlock_unlock(&dir->lock);
		return -ENOENT;
	}
	victim = de->ino;
	ds_get(victim);
	pthread_rwlock_wrlock(&victim->lock);
	rc = may_delete(dir, victim, cr);
	if (rc)
		goto out;
	if (victim->type == DS_DIR && victim->dir.cidx.live > 0) {
		rc = -ENOTEMPTY;
		goto out;
	}
	rc = ds_store_failed(dir->store);
	if (rc)
		goto out;
	snap(dir, pre);
	ds_changes_init(&cs, dir->store);
	ds_changes_dirent_del(&cs, dir, name);
	/* An open file keeps its inode, nlink 0, until the last close. */
	dies = record_unlink(&cs, victim);
	r = ds_changes_inode(&cs, dir);
	if (victim->type == DS_DIR)
		r->nlink--;
	ds_irec_touch(r, true);
	rc = ds_changes_commit(&cs);
	if (rc)
		goto out;
	ds_dir_remove(dir, de);
	ds_changes_apply(&cs);
	if (dies)
		kill_victim(victim);
	snap(dir, post);
out:
	pthread_rwlock_unlock(&victim->lock);
	pthread_rwlock_unlock(&dir->lock);
	ds_put(victim);
	return ds_changes_durable(dir->store, rc);
}

/*
 * True if dir is anc or lies below it.  Caller holds rename_lock, so
 * parent pointers of live directories do not move; RCU keeps a parent
 * that dies meanwhile readable until we are done.
 */
static bool is_under(struct ds_inode *dir, struct ds_inode *anc)
{
	struct ds_inode *root = dir->store->root;
	bool found = false;

	urcu_bp_read_lock();
	if (__atomic_load_n(&dir->dead, __ATOMIC_ACQUIRE))
		goto out;
	for (;;) {
		if (dir == anc) {
			found = true;
			break;
		}
		if (dir == root)
			break;
		dir = rcu_dereference(dir->dir.parent);
	}
out:
	urcu_bp_read_unlock();
	return found;
}

/* Two directories of a rename: an ancestor before its descendant,
 * otherwise by fileid (see the lock order in ditto_store.h).
 */
static void lock_rename_dirs(struct ds_inode *odir, struct ds_inode *ndir)
{
	struct ds_inode *first = odir, *second = ndir;

	if (odir == ndir) {
		second = NULL;
	} else if (is_under(odir, ndir)) {
		first = ndir;
		second = odir;
	} else if (!is_under(ndir, odir)) {
		wrlock2(odir, ndir);
		return;
	}
	pthread_rwlock_wrlock(&first->lock);
	if (second)
		pthread_rwlock_wrlock(&second->lock);
}

static int rename_name_check(const char *name)
{
	int rc = ds_name_check(name);

	return rc == -EEXIST ? -EINVAL : rc;
}

/*
 * Permission for a rename, before its type checks as in Linux.  The
 * directories are locked; src and tgt are snapshotted under their own
 * locks, taken here after their parents' (the lock order), and never
 * one of the directories: ds_rename has refused those cases already.
 */
static int may_rename(struct ds_inode *odir, struct ds_inode *src,
		      struct ds_inode *ndir, struct ds_inode *tgt,
		      const struct ds_cred *cr)
{
	struct ds_attr od, s, nd, t;

	if (ds_cred_is_root(cr))
		return 0;
	ds_fill_attr(odir, &od);
	ds_fill_attr(ndir, &nd);
	pthread_rwlock_rdlock(&src->lock);
	ds_fill_attr(src, &s);
	pthread_rwlock_unlock(&src->lock);
	if (tgt) {
		pthread_rwlock_rdlock(&tgt->lock);
		ds_fill_attr(tgt, &t);
		pthread_rwlock_unlock(&tgt->lock);
	}
	return ds_may_rename(&od, &s, &nd, tgt ? &t : NULL, cr);
}

int ds_rename(struct ds_inode *odir, const char *oname, struct ds_inode *ndir,
	      const char *nname, const struct ds_cred *cr, struct ds_attr *opre,
	      struct ds_attr *opost, struct ds_attr *npre, struct ds_attr *npost)
{
	struct ds_store *st = odir->store;
	bool cross = odir != ndir;
	struct ds_dentry *sde, *tde;
	struct ds_inode *src, *tgt = NULL;
	struct ds_changes cs;
	struct ds_irec *ro, *rn, *rs;
	struct ds_dentry *de;
	bool dies = false;
	int rc;

	if (odir->type != DS_DIR || ndir->type != DS_DIR)
		return -ENOTDIR;
	if (odir->store != ndir->store)
		return -EXDEV;
	rc = rename_name_check(oname);
	if (!rc)
		rc = rename_name_check(nname);
	if (rc)
		return rc;

	if (cross)
		pthread_mutex_lock(&st->rename_lock);
	lock_rename_dirs(odir, ndir);
	rc = odir->dead || ndir->dead ? -ENOENT : ds_store_failed(st);
	if (rc)
		goto unlock_dirs;
	sde = ds_dir_find(odir, oname);
	if (!sde) {
		rc = -ENOENT;
		goto unlock_dirs;
	}
	src = sde->ino;
	tde = ds_dir_find(ndir, nname);
	if (tde)
		tgt = tde->ino;
	snap(odir, opre);
	snap(ndir, npre);
	if (tgt == src) {
		/* Two names of one inode: POSIX says do nothing. */
		rc = 0;
		goto done;
	}
	if (src->type == DS_DIR && cross && is_under(ndir, src)) {
		rc = -EINVAL;
		goto unlock_dirs;
	}
	/* A target above the source directory cannot be empty; refusing
	 * here also avoids locking it after its own descendant.
	 */
	if (tgt && tgt->type == DS_DIR && cross && is_under(odir, tgt)) {
		rc = -ENOTEMPTY;
		goto unlock_dirs;
	}
	rc = may_rename(odir, src, ndir, tgt, cr);
	if (rc)
		goto unlock_dirs;
	if (tgt && src->type == DS_DIR && tgt->type != DS_DIR) {
		rc = -ENOTDIR;
		goto unlock_dirs;
	}
	if (tgt && src->type != DS_DIR && tgt->type == DS_DIR) {
		rc = -EISDIR;
		goto unlock_dirs;
	}
	ds_get(src);
	if (tgt)
		ds_get(tgt);
	wrlock2(src, tgt);
	if (tgt && tgt->type == DS_DIR && tgt->dir.cidx.live > 0) {
		rc = -ENOTEMPTY;
		goto unlock_all;
	}
	/* The target's entry goes, so its name is free for the new one. */
	de = ds_dir_prepare(ndir, nname, src, &rc);
	if (!de)
		goto unlock_all;
	ds_changes_init(&cs, st);
	ds_changes_dirent_del(&cs, odir, oname);
	ds_changes_dirent(&cs, ndir, nname, src->fileid, de->cookie);
	if (tgt)
		dies = record_unlink(&cs, tgt);
	rs = ds_changes_inode(&cs, src);
	ds_irec_touch(rs, false);
	ro = ds_changes_inode(&cs, odir);
	ds_irec_touch(ro, true);
	rn = cross ? ds_changes_inode(&cs, ndir) : ro;
	if (cross)
		ds_irec_touch(rn, true);
	rn->next_cookie = de->cookie + 1;
	if (tgt && tgt->type == DS_DIR)
		rn->nlink--;
	if (src->type == DS_DIR && cross) {
		rs->parent = ndir->fileid;
		ro->nlink--;
		rn->nlink++;
	}
	rc = ds_changes_commit(&cs);
	if (rc) {
		ds_dir_discard(de);
		goto unlock_all;
	}
	if (tgt)
		ds_dir_remove(ndir, tde);
	ds_dir_publish(ndir, de);
	ds_dir_remove(odir, sde);
	if (src->type == DS_DIR && cross)
		rcu_assign_pointer(src->dir.parent, ndir);
	ds_changes_apply(&cs);
	if (dies)
		kill_victim(tgt);
unlock_all:
	unlock2(src, tgt);
	ds_put(src);
	if (tgt)
		ds_put(tgt);
	if (rc)
		goto unlock_dirs;
done:
	snap(odir, opost);
	snap(ndir, npost);
unlock_dirs:
	unlock2(odir, ndir);
	if (cross)
		pthread_mutex_unlock(&st->rename_lock);
	return ds_changes_durable(st, rc);
}

int ds_readlink(struct ds_inode *ino, char *buf, size_t bufsz, size_t *len)
{
	int rc = 0;

	if (ino->type != DS_LNK)
		return -EINVAL;
	pthread_rwlock_rdlock(&ino->lock);
	if (ino->dead) {
		rc = -ESTALE;
	} else if (bufsz < ino->lnk.len + 1) {
		*len = ino->lnk.len;
		rc = -ERANGE;
	} else {
		memcpy(buf, ino->lnk.target, ino->lnk.len + 1);
		*len = ino->lnk.len;
	}
	pthread_rwlock_unlock(&ino->lock);
	return rc;
}
