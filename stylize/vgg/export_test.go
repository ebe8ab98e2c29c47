package vgg

// Pattern records which ReLUs pass and which max-pool inputs win: the
// network is affine in x wherever this does not change.
func (n *Net) Pattern() string {
	var b []byte
	for i := 0; i < n.depth; i++ {
		for _, v := range n.act[i] {
			if v > 0 {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
		b = append(b, n.arg[i]...)
	}
	return string(b)
}
