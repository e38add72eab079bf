package install

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/virt-pki/virt-pki/layout"
)

// checkPaths refuses, before anything is read or written, a target that
// would be written outside where the user asked: with a root prefix, a
// path that leaves the root (through '..' in a configured path, or
// through a symlink among its existing components); in any layout, a
// directory of the layout that is a symlink leading out of the layout.
// The file itself being a symlink is judged later, by classify.
func (p *Plan) checkPaths(req Request, files []layout.File) error {
	root := req.Target.Root
	paths := []string{p.Base}
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	for i, path := range paths {
		walk := path
		if i > 0 { // the file's own symlink is classify's
			walk = filepath.Dir(path)
		}
		if !layout.Within(root, path) && root != "" && root != "/" {
			walk = path
		}
		if esc, out := layout.EscapesRoot(root, walk); out {
			if esc.Link == "" {
				return inputErrorf("%s: is outside --root %s ('..' in the configured path climbs out of it); refusing to write there (give a path inside the root)", walk, root)
			}
			return inputErrorf("%s: is a symlink to %s, outside --root %s; refusing to write through it (replace the link with a directory or a link inside the root)", esc.Link, esc.Dest, root)
		}
	}
	for _, f := range files {
		if link, dest, out := p.dirLinkOut(filepath.Dir(f.Path)); out {
			return inputErrorf("%s: is a symlink to %s, outside the layout; refusing to write through it (replace the link with a directory)", link, dest)
		}
	}
	return nil
}

// dirLinkOut walks dir from the layout directory that contains it down to
// dir and returns the first existing component that is a symlink whose
// destination lies outside the layout. The layout directories themselves
// may be symlinks (insideLayout resolves them).
func (p *Plan) dirLinkOut(dir string) (link, dest string, out bool) {
	dir = filepath.Clean(dir)
	top := ""
	for _, d := range p.layoutDir {
		d = filepath.Clean(d)
		if layout.Within(d, dir) && len(d) > len(top) {
			top = d
		}
	}
	if top == "" || top == dir {
		return "", "", false
	}
	rel, _ := filepath.Rel(top, dir)
	cur := top
	for _, part := range splitPath(rel) {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if err != nil {
			return "", "", false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		d, err := filepath.EvalSymlinks(cur)
		if err != nil {
			target, _ := os.Readlink(cur)
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(cur), target)
			}
			d = filepath.Clean(target)
		}
		if !p.insideLayout(d) {
			return cur, d, true
		}
	}
	return "", "", false
}

func splitPath(rel string) []string {
	return strings.Split(filepath.ToSlash(rel), "/")
}
