import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { isElectron } from './api'
import { keepProject, restoreProject, warnBeforeLeaving } from './store/keepProject'
import './styles.css'

// The project from before a reload comes back before the first frame, at the step it was on.
restoreProject()
keepProject()
if (!isElectron) warnBeforeLeaving()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
