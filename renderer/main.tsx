import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { isElectron } from './api'
import { keepProject, restoreProject, warnBeforeLeaving } from './store/keepProject'
import './styles.css'

// The project the app had open (before a reload or a restart) comes back before the first frame,
// at the step it was on; a server that cannot be reached leaves Start, where App says so.
void restoreProject()
  .catch(() => false)
  .then(() => {
    keepProject()
    if (!isElectron) warnBeforeLeaving()
    createRoot(document.getElementById('root')!).render(
      <StrictMode>
        <App />
      </StrictMode>,
    )
  })
