import type { Department } from './api';

export interface DepartmentNode extends Department {
  children?: DepartmentNode[];
}

/** Build the department forest from the flat list; orphans (unknown parent) become roots. */
export function buildDepartmentTree(items: readonly Department[]): DepartmentNode[] {
  const byId = new Map<string, DepartmentNode>();
  for (const d of items) byId.set(d.id, { ...d });
  const roots: DepartmentNode[] = [];
  for (const node of byId.values()) {
    const parent = node.parentId ? byId.get(node.parentId) : undefined;
    if (parent && parent !== node) (parent.children ??= []).push(node);
    else roots.push(node);
  }
  const sort = (nodes: DepartmentNode[]) => {
    nodes.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true }));
    for (const n of nodes) if (n.children) sort(n.children);
  };
  sort(roots);
  return roots;
}

export interface DepartmentTreeOption {
  value: string;
  title: string;
  children?: DepartmentTreeOption[];
}

/** TreeSelect options for the forest. */
export function departmentTreeOptions(nodes: readonly DepartmentNode[]): DepartmentTreeOption[] {
  return nodes.map((n) => ({
    value: n.id,
    title: n.name,
    ...(n.children ? { children: departmentTreeOptions(n.children) } : {}),
  }));
}
