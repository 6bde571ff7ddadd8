// "Browse…" beside the project file path picks a folder (the app's folder browser, as for every
// other folder field); the file keeps the name typed so far, else one made from the project's
// name, so a user who browses never has to type a path at all.

/** The last part of a typed path ("/a/liver.nnwizard.json" -> "liver.nnwizard.json"); '' for a folder. */
function fileName(typed: string): string {
  const t = typed.trim()
  if (/[\\/]$/.test(t)) return ''
  return t.slice(Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\')) + 1)
}

/** A file name from the project's name: letters, digits, dot, dash and underscore kept, the rest '-'. */
function nameFromProject(projectName: string): string {
  const slug = projectName.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '')
  return `${slug || 'project'}.nnwizard.json`
}

/** The project file path in `folder`: the typed file name, else one from the project's name. */
export function projectFileIn(folder: string, typed: string, projectName: string): string {
  const name = fileName(typed) || nameFromProject(projectName)
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/'
  return folder.endsWith(sep) ? `${folder}${name}` : `${folder}${sep}${name}`
}
