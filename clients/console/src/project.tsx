// The project the pages work in: chosen in the masthead, kept across visits.
import { createContext, useContext, useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, ok, type Schemas } from "./api";

type Project = Schemas["Project"];

interface ProjectChoice {
  projects: Project[];
  project: Project | undefined;
  loaded: boolean;
  error: unknown;
  choose: (id: string) => void;
}

const Context = createContext<ProjectChoice | null>(null);
const KEY = "overcast.project";

/** `enabled`: whether the caller works in projects (staff do not). */
export function ProjectProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const list = useQuery({
    queryKey: ["projects", "all"],
    enabled,
    queryFn: () => ok(api.GET("/v1/projects", { params: { query: { limit: 1000 } } })),
  });
  const [chosen, setChosen] = useState(() => localStorage.getItem(KEY) ?? "");
  const projects = list.data?.items ?? [];
  const value: ProjectChoice = {
    projects,
    project: projects.find((p) => p.id === chosen) ?? projects[0],
    loaded: !!list.data,
    error: list.error,
    choose: (id) => {
      localStorage.setItem(KEY, id);
      setChosen(id);
    },
  };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useProject(): ProjectChoice {
  const value = useContext(Context);
  if (!value) throw new Error("useProject outside ProjectProvider");
  return value;
}

/** The chooser, shown when there is more than one project. */
export function ProjectPicker() {
  const { projects, project, choose } = useProject();
  if (projects.length < 2) return null;
  return (
    <span className="project-picker">
      <label htmlFor="project">Project</label>{" "}
      <select id="project" value={project?.id} onChange={(e) => choose(e.target.value)}>
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </span>
  );
}

/** A note for pages that need a project when the account has none. */
export function NeedsProject({ children }: { children: (project: Project) => ReactNode }) {
  const { project, loaded, error } = useProject();
  if (error) return null;
  if (!loaded) return <p>Loading…</p>;
  if (!project) return <p>This account has no project yet: create one under Projects.</p>;
  return <>{children(project)}</>;
}
