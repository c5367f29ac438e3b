// Projects: the account's folders for instances, drives and addresses.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../api";
import { useProject } from "../project";
import { ConfirmButton, EditIdentity, ErrorNote, PagedTable, SpecForm, usePages } from "../ui";

export function Projects() {
  const queries = useQueryClient();
  const { project, choose } = useProject();
  const pages = usePages<Schemas["Project"]>(["projects", "pages"], (page_token) =>
    ok(api.GET("/v1/projects", { params: { query: { limit: 100, page_token } } })),
  );
  const refresh = () => queries.invalidateQueries({ queryKey: ["projects"] });
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => ok(api.POST("/v1/projects", { body: body as Schemas["ProjectCreate"] })),
    onSuccess: async (p) => {
      await refresh();
      choose(p.id);
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/v1/projects/{project}", { params: { path: { project: id } } })),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      <PagedTable
        pages={pages}
        caption="Projects"
        empty="No projects yet."
        columns={[
          { header: "Name", cell: (p) => p.name },
          { header: "Description", cell: (p) => p.description },
          {
            header: "Actions",
            cell: (p) => (
              <>
                {p.id === project?.id ? (
                  <span>current</span>
                ) : (
                  <button type="button" onClick={() => choose(p.id)}>
                    Work in {p.name}
                  </button>
                )}{" "}
                <EditIdentity
                  item={p}
                  save={(body) =>
                    ok(api.PUT("/v1/projects/{project}", { params: { path: { project: p.id } }, body: body as Schemas["IdentityUpdate"] })).then(refresh)
                  }
                />{" "}
                <ConfirmButton label="Delete" question={`Delete the project ${p.name}?`} onConfirm={() => remove.mutate(p.id)} />
              </>
            ),
          },
        ]}
      />
      <ErrorNote error={remove.error} />
      <h2>Create a project</h2>
      <SpecForm
        key={create.data?.id ?? "new"}
        schema="ProjectCreate"
        fields={["name", "description"]}
        submitLabel="Create project"
        busy={create.isPending}
        error={create.error}
        onSubmit={(body) => create.mutate(body)}
      />
    </section>
  );
}
