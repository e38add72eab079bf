package layout

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Within reports whether path is dir itself or lies below it, comparing
// the cleaned paths lexically (no file system access).
func Within(dir, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

// Escape says how a path leaves a root prefix.
type Escape struct {
	// Link is the existing symlink that leads out ("" when the path
	// itself climbs out with "..").
	Link string
	// Dest is where Link points (resolved as the kernel would, on the
	// host and not inside the root).
	Dest string
}

// EscapesRoot reports whether path, meant to lie under root (a prefix for
// image building; "" or "/" is the host and never escapes), leaves it:
// lexically, because '..' components climb above root, or through a
// symlink among the path's existing components whose destination lies
// outside root (an absolute link in an image points into the host). The
// walk stops at the first missing component: nothing below it exists.
func EscapesRoot(root, path string) (Escape, bool) {
	if root == "" || root == "/" {
		return Escape{}, false
	}
	root, path = filepath.Clean(root), filepath.Clean(path)
	if !Within(root, path) {
		return Escape{}, true
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root
	}
	rel, _ := filepath.Rel(root, path)
	if rel == "." {
		return Escape{}, false
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if err != nil {
			return Escape{}, false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		dest, err := filepath.EvalSymlinks(cur)
		if err != nil { // dangling: where the kernel would create it
			target, rerr := os.Readlink(cur)
			if rerr != nil {
				return Escape{Link: cur}, true
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(cur), target)
			}
			dest = filepath.Clean(target)
		}
		if !Within(realRoot, dest) && !Within(root, dest) {
			return Escape{Link: cur, Dest: dest}, true
		}
	}
	return Escape{}, false
}
